/**
 * A ZoScope over whole parameter arenas: every element of every listed segment is perturbed and
 * updated, one dispatch per arena buffer (src/kernels/perturb.ts). Float mode perturbs by +eps, -2eps,
 * +eps (restore drift of about one ulp on ~45% of elements, docs/rng.md); exact mode keeps each tensor on
 * a power-of-two grid and perturbs in integer grid steps, so restore returns every element bit for bit.
 * FullScope (all model tensors) and LoraScope (adapter parameters) are built on it.
 */
import type { GpuContext } from "../gpu/context.ts";
import { Recorder } from "../gpu/recorder.ts";
import {
  type ArenaPlan,
  createArenaPlan,
  destroyArenaPlan,
  perturbArena,
  perturbArenaExact,
  quantizeArena,
  readGridStatus,
  resetGridStatus,
  updateArena,
  updateArenaExact,
  type ZoArena,
} from "../kernels/perturb.ts";
import { GRID_OFF_GRID, GRID_PERTURB_OVERFLOW, GRID_UPDATE_OVERFLOW, gridExponent } from "./grid.ts";
import { SEG_WORDS } from "./segments.ts";
import type { ZoScope } from "./scope.ts";

/** Exact (grid) mode settings: the perturbation size and each tensor's largest |value|. */
export interface ExactModeOptions {
  /** The eps every perturbation uses (perturb scales must be integer multiples of it: +eps, -2eps). */
  readonly eps: number;
  /** Largest |value| of tensor `id` at creation (sets its grid, see gridExponent). */
  readonly maxAbs: (tensorId: number) => number;
}

/** How an ArenaScope perturbs and updates its arena: float or exact (grid) mode, eps, masks and segments. */
export interface ArenaScopeOptions {
  /** Scope kind for logs ("full", "lora", ...); "-exact" is appended in exact mode. */
  readonly kind: string;
  /** Whether weight decay applies to tensor `id`. */
  readonly decay: (tensorId: number) => boolean;
  /** Exact mode; omitted: float mode. */
  readonly exact?: ExactModeOptions;
}

/** Thrown when the exact mode's status bits report a grid violation (exactness lost). */
export class GridError extends Error {
  override readonly name = "GridError";
}

/** Explains exact-mode status bits. */
export function describeGridStatus(bits: number): string {
  const out: string[] = [];
  if (bits & GRID_PERTURB_OVERFLOW) out.push("a perturbed value left the grid's 2^24 range (choose a larger eps headroom or float mode)");
  if (bits & GRID_UPDATE_OVERFLOW) out.push("an updated value left the grid's 2^24 range (weights grew more than 2x)");
  if (bits & GRID_OFF_GRID) out.push("a value was off its grid when perturbed (the arena was changed outside the scope)");
  return out.join("; ");
}

/** A ZoScope over one parameter arena: seeded perturb, restore and update of its tensors (optionally masked). */
export class ArenaScope implements ZoScope {
  readonly kind: string;
  readonly trainable: number;
  readonly extraBytes: number;
  readonly exact: boolean;
  readonly plans: readonly ArenaPlan[];
  readonly #ctx: GpuContext;
  readonly #eps: number;

  constructor(ctx: GpuContext, arenas: readonly ZoArena[], options: ArenaScopeOptions) {
    this.#ctx = ctx;
    this.exact = options.exact !== undefined;
    this.kind = this.exact ? `${options.kind}-exact` : options.kind;
    const ex = options.exact;
    if (ex !== undefined && !(ex.eps > 0 && Number.isFinite(ex.eps))) throw new RangeError(`${this.kind} scope: exact mode needs eps > 0, got ${ex.eps}`);
    this.#eps = ex?.eps ?? 0;
    const tensorOptions = ex === undefined ? { decay: options.decay } : { decay: options.decay, gridExp: (id: number) => gridExponent(ex.maxAbs(id), ex.eps) };
    this.plans = arenas.map((a) => createArenaPlan(ctx, a, tensorOptions));
    let n = 0;
    for (const p of this.plans) for (let s = 0; s < p.nseg; s++) n += p.table[s * SEG_WORDS + 2]!;
    this.trainable = n;
    this.extraBytes = this.plans.reduce((a, p) => a + p.tableBuffer.size + p.statusBuffer.size, 0);
    if (this.exact) {
      const rec = new Recorder(ctx, `${this.kind}.quantize`);
      for (const p of this.plans) quantizeArena(ctx, rec, p);
      rec.submit();
      for (const p of this.plans) resetGridStatus(ctx, p);
    }
  }

  begin(_rec: Recorder): void {
    // Nothing to save: float mode restores by a third perturbation, exact mode by integer grid steps.
  }

  #k(scale: number): number {
    const k = Math.round(scale / this.#eps);
    if (k === 0 || Math.abs(k * this.#eps - scale) > 1e-9 * Math.abs(scale)) {
      throw new RangeError(`${this.kind} scope: exact mode perturbs by integer multiples of eps = ${this.#eps}, got scale ${scale}`);
    }
    return k;
  }

  perturb(rec: Recorder, seed: number, scale: number): void {
    if (this.exact) {
      const k = this.#k(scale);
      for (const p of this.plans) perturbArenaExact(this.#ctx, rec, p, seed, this.#eps, k);
    } else {
      for (const p of this.plans) perturbArena(this.#ctx, rec, p, seed, scale);
    }
  }

  restore(rec: Recorder, seed: number, eps: number): void {
    this.perturb(rec, seed, eps);
  }

  update(rec: Recorder, seed: number, coef: number, decay: number): void {
    for (const p of this.plans) {
      if (this.exact) updateArenaExact(this.#ctx, rec, p, seed, coef, decay);
      else updateArena(this.#ctx, rec, p, seed, coef, decay);
    }
  }

  /** Exact mode: throws a GridError if any status bit was set since creation (a 16-byte read per arena). */
  async verify(): Promise<void> {
    if (!this.exact) return;
    let bits = 0;
    for (const p of this.plans) bits |= await readGridStatus(this.#ctx, p);
    if (bits !== 0) throw new GridError(`${this.kind} scope: exact mode lost exactness (status ${bits}): ${describeGridStatus(bits)}`);
  }

  destroy(): void {
    for (const p of this.plans) destroyArenaPlan(this.#ctx, p);
  }
}
