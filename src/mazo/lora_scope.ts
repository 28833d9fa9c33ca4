/**
 * LoRA-MaZO: the masked ZO scope over LoRA adapter parameters, with the mask rule of lora_mask.ts: per
 * adapted projection, B's rows of the round(keep*out) most important base-weight rows (all rank entries)
 * and all of A. Weight decay, when asked for, applies to A and B alike (as LoraScope does).
 */
import type { GpuContext } from "../gpu/context.ts";
import type { LoraEntry } from "../lora/lora.ts";
import type { ZoArena } from "../kernels/perturb.ts";
import type { HostWeights } from "../model/weights.ts";
import type { TaskStats } from "./calibrate.ts";
import { keptRows, loraBMask, rowImportance } from "./lora_mask.ts";
import { MaskedScope } from "./masked_scope.ts";
import { MASK_DEFAULTS } from "./masks.ts";
import type { ScoreCoefficients } from "./scores.ts";

/** Options of {@link loraMasks}. */
export interface LoraMaskOptions extends ScoreCoefficients {
  /** Fraction of B's rows trained (default MASK_DEFAULTS.keep). */
  readonly keep?: number;
}

/** What loraMasks needs of the adapters (LoraAdapters or HostLora). */
export interface LoraLayout {
  readonly config: { readonly rank: number };
  readonly entries: readonly LoraEntry[];
}

/** The adapter mask: tensor id (idA / idB) -> sorted flat indices. */
export function loraMasks(lora: LoraLayout, weights: HostWeights, stats: readonly TaskStats[], options: LoraMaskOptions = {}): Map<number, Uint32Array> {
  const keep = options.keep ?? MASK_DEFAULTS.keep;
  if (!(keep > 0 && keep <= 1)) throw new RangeError(`loraMasks: keep is ${keep}; it must be in (0, 1]`);
  const r = lora.config.rank;
  const out = new Map<number, Uint32Array>();
  for (const e of lora.entries) {
    const w = weights.tensors.find((t) => t.name === e.weight);
    if (w === undefined) throw new RangeError(`loraMasks: the model has no weight ${e.weight}`);
    const norms = stats.map((s) => {
      const xn = s.norms.get(e.weight);
      if (xn === undefined) throw new RangeError(`loraMasks: task ${s.task}'s statistics have no input norms for ${e.weight}`);
      return xn;
    });
    const rows = keptRows(rowImportance(w.data, e.outDim, e.inDim, norms, options), keep);
    out.set(e.idA, Uint32Array.from({ length: r * e.inDim }, (_, i) => i));
    out.set(e.idB, loraBMask(rows, r));
  }
  return out;
}

/** A MaskedScope over the adapters' arenas (LoraAdapters.arenas) training the entries of `masks`. */
export function createLoraMaskedScope(ctx: GpuContext, arenas: readonly ZoArena[], masks: ReadonlyMap<number, Uint32Array>): MaskedScope {
  return new MaskedScope(ctx, { arenas, decay: () => true }, masks);
}
