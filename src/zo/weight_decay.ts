/**
 * Which tensors weight decay applies to. "mezo" (the default) is MeZO's rule, from its Hugging Face
 * Trainer: every parameter whose name has no "bias" and no norm is decayed, so the projections, the
 * token embedding and the LM head are, and the RMSNorm weights and q/k/v biases (our "vector" tensors)
 * are not. "matrices" is mazo's earlier rule: the attention and FFN projections only.
 */
import type { ParamKind } from "../model/canonical.ts";

/** A weight-decay rule (docs/zo.md). */
export type DecayRule = "mezo" | "matrices";
/** Every DecayRule. */
export const DECAY_RULES: readonly DecayRule[] = ["mezo", "matrices"];

/** Whether weight decay applies to a tensor of kind `kind` under `rule`. */
export function decays(rule: DecayRule, kind: ParamKind): boolean {
  return rule === "mezo" ? kind !== "vector" : kind === "matrix";
}
