/**
 * Plain CPU reference of the MeZO step (src/zo/trainer.ts with FullScope in float mode): the same probe
 * seeds, the same f32 perturbation and update formulas (src/ref/perturb.ts, bit-identical to the
 * kernels) and the CPU forward pass (src/ref/forward.ts) for the loss. Used by the fidelity test.
 */
import type { ParamKind } from "../model/canonical.ts";
import { canonicalTensors } from "../model/canonical.ts";
import type { HostWeights } from "../model/weights.ts";
import { probeSeed } from "../zo/seeds.ts";
import { nllOf, RefDecoder } from "./forward.ts";
import { packSegmentsRef, perturbArenaRef, updateArenaRef } from "./perturb.ts";

/** A sequence to score: tokens and the target at each position (-1: none). */
export interface RefSequence {
  readonly tokens: readonly number[];
  readonly targets: readonly number[];
}

/** Mean NLL over every target token of the batch (the GPU lmBatchLoss), float64. */
export function lmLossRef(w: HostWeights, seqs: readonly RefSequence[]): number {
  let sum = 0, count = 0;
  for (const s of seqs) {
    const dec = new RefDecoder(w);
    s.tokens.forEach((tok, t) => {
      const logits = dec.step(tok);
      const target = s.targets[t]!;
      if (target >= 0) {
        sum += nllOf(logits, target);
        count++;
      }
    });
  }
  return sum / count;
}

export interface RefZoOptions {
  readonly seed: number;
  readonly eps: number;
  readonly lr: number;
  readonly weightDecay?: number;
  readonly probes?: number;
  /** Kinds of tensors that train (default all). */
  readonly kinds?: readonly ParamKind[];
  /** Which tensors weight decay applies to: "mezo" (default: all but the 1-D norm/bias vectors) or "matrices". */
  readonly decayRule?: "mezo" | "matrices";
}

export interface RefStep {
  readonly seeds: number[];
  readonly g: number[];
  readonly lossPlus: number[];
  readonly lossMinus: number[];
}

/** Runs MeZO step `step` in place on `w` (every tensor its own arena), returning the probes' g. */
export function zoStepRef(w: HostWeights, step: number, o: RefZoOptions, loss: (w: HostWeights) => number): RefStep {
  const specs = canonicalTensors(w.config);
  const kinds = o.kinds ?? ["matrix", "vector", "embedding"];
  const tables = w.tensors.map((t, id) => {
    const on = kinds.includes(specs[id]!.kind);
    const kind = specs[id]!.kind;
    const decayed = (o.decayRule ?? "mezo") === "mezo" ? kind === "matrix" || kind === "embedding" : kind === "matrix";
    return packSegmentsRef(on ? new Uint32Array([id, 0, t.data.length, 0]) : new Uint32Array(0), t.data.length, { decay: () => decayed });
  });
  const each = (f: (data: Float32Array, table: Uint32Array) => void): void => w.tensors.forEach((t, id) => f(t.data, tables[id]!));
  const q = o.probes ?? 1;
  const out: RefStep = { seeds: [], g: [], lossPlus: [], lossMinus: [] };
  for (let j = 0; j < q; j++) {
    const seed = probeSeed(o.seed, step, j);
    each((d, tb) => perturbArenaRef(d, tb, seed, o.eps));
    const lp = loss(w);
    each((d, tb) => perturbArenaRef(d, tb, seed, -2 * o.eps));
    const lm = loss(w);
    each((d, tb) => perturbArenaRef(d, tb, seed, o.eps));
    out.seeds.push(seed);
    out.lossPlus.push(lp);
    out.lossMinus.push(lm);
    out.g.push((lp - lm) / (2 * o.eps));
  }
  let decay = o.lr * (o.weightDecay ?? 0);
  out.seeds.forEach((seed, j) => {
    const coef = (o.lr * out.g[j]!) / q;
    each((d, tb) => updateArenaRef(d, tb, seed, coef, decay));
    decay = 0;
  });
  return out;
}
