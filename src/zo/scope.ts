/**
 * What a zeroth-order step perturbs and updates. The trainer (src/zo/trainer.ts) drives a scope
 * through begin, perturb(+eps), perturb(-2eps), restore, update for every probe; scopes exist for all
 * parameters (MeZO), masked entries (MaZO and its baselines) and LoRA adapters. z is the seeded
 * counter-based generator z(seed, tensorId, index) of src/zo/rng.ts, regenerated on every call.
 */
import type { Recorder } from "../gpu/recorder.ts";

/** What the ZO trainer perturbs and updates: seeded +-eps*z perturbations, exact restore, lr*g*z updates. */
export interface ZoScope {
  /** "full", "full-exact", "masked", "lora", ... for logs and run folders. */
  readonly kind: string;
  /** Number of scalars perturbed and updated. */
  readonly trainable: number;
  /** GPU bytes this scope allocated beyond the model's weights (tables, saved values). */
  readonly extraBytes: number;
  /** Once per probe, before its first perturbation (masked scopes save the k values here). */
  begin(rec: Recorder): void;
  /** theta += scale * z(seed) over the scope. */
  perturb(rec: Recorder, seed: number, scale: number): void;
  /**
   * After perturb(+eps) and perturb(-2eps): returns theta to its value at begin() (exactly where the
   * scope can: masked scopes copy the saved values back; exact-mode scopes on their grid).
   */
  restore(rec: Recorder, seed: number, eps: number): void;
  /** theta -= coef * z(seed) + decay * theta, decay only on tensors the scope's weight-decay rule allows. */
  update(rec: Recorder, seed: number, coef: number, decay: number): void;
  /**
   * Optional health check the trainer calls after each step (exact-mode scopes read their grid status
   * and throw when exactness was lost). Added by the ZO engine; scopes without checks omit it.
   */
  verify?(): Promise<void>;
  destroy(): void;
}

/** Loss of the current batch under the current (possibly perturbed) weights: one forward pass. */
export type LossFn = () => Promise<number>;
