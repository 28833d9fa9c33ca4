/**
 * The MaZO reference path on host weights: calibration statistics from the reference forward
 * (src/ref/mazo_forward.ts), masks through the plain-loop mask references (src/ref/mask.ts) and the
 * masked or full ZO step through src/ref/perturb.ts. It repeats the GPU path's float operations where
 * they are defined bit for bit (perturbation, update, restore, scores, normalisation, selection) and
 * differs only in the forward pass's rounding, which the fidelity test bounds.
 */
import type { RowNorm } from "../mask/checks.ts";
import type { KeepSpec } from "../mask/keep.ts";
import { type CalibrationCandidates, calibrationSequences } from "../mazo/calibration_set.ts";
import type { CalibrationTask, TaskStats } from "../mazo/calibrate.ts";
import { buildMasks, type MaskOptions, type MaskSelector, type MaskSet } from "../mazo/masks.ts";
import type { HostWeights } from "../model/weights.ts";
import type { EncodedExample, Tokenizer } from "../tasks/encode.ts";
import { exampleLoss } from "../tasks/metrics.ts";
import { combineTaskScoresRef, rowTopKRef } from "./mask.ts";
import { scoreRef } from "./mazo_forward.ts";
import { packSegmentsRef, perturbArenaRef, perturbMaskedRef, updateArenaRef, updateMaskedRef } from "./perturb.ts";

/** The mask selection of src/ref/mask.ts (same results as the Wasm MaskEngine). */
export const REF_SELECTOR: MaskSelector = {
  rowTopK: (scores: Float32Array, rows: number, cols: number, k: number | KeepSpec) => rowTopKRef(scores, rows, cols, k),
  combineTaskScores: (list: readonly Float32Array[], rows: number, cols: number, mode: RowNorm) => combineTaskScoresRef(list, rows, cols, mode),
};

/** Reference calibration options (those of src/mazo/calibrate.ts that change the result). */
export interface CalibrationRefOptions {
  readonly examples?: number;
  readonly candidates?: CalibrationCandidates;
  readonly maxLength?: number;
}

/** Reference of calibrate(): ||X_j||_2 of every matrix's input over each task's calibration tokens, float64 sums. */
export function calibrateRef(w: HostWeights, tokenizer: Tokenizer, tasks: readonly CalibrationTask[], options: CalibrationRefOptions = {}): TaskStats[] {
  const matrices = w.tensors.filter((t) => t.shape.length === 2 && t.name.startsWith("layers."));
  return tasks.map((t) => {
    const seqs = calibrationSequences(t.task, t.examples.slice(0, options.examples ?? 32), tokenizer, options.candidates ?? "loss", options.maxLength ?? w.config.maxSeqLen);
    const sums = new Map(matrices.map((m) => [m.name, new Float64Array(m.shape[1]!)]));
    scoreRef(w, seqs, (name, x) => {
      const acc = sums.get(name)!;
      for (let j = 0; j < x.length; j++) acc[j] = acc[j]! + x[j]! * x[j]!;
    });
    const norms = new Map<string, Float32Array>();
    for (const [name, s] of sums) norms.set(name, Float32Array.from(s, (v) => Math.sqrt(v)));
    return { task: t.task, sequences: seqs.length, tokens: seqs.reduce((a, s) => a + s.tokens.length, 0), norms };
  });
}

/** buildMasks with the reference selection. */
export function buildMasksRef(w: HostWeights, stats: readonly TaskStats[], options: MaskOptions = {}): MaskSet {
  return buildMasks(REF_SELECTOR, w, stats, options);
}

/** Settings of one reference probe (ZoTrainer's with one probe, no momentum, no clipping). */
export interface ZoStepOptions {
  readonly seed: number;
  readonly eps: number;
  readonly lr: number;
  /** Weight decay (default 0). */
  readonly weightDecay?: number;
}

/** What one probe measured. */
export interface ZoStepResult {
  readonly lossPlus: number;
  readonly lossMinus: number;
  /** The projected gradient (L+ - L-) / (2 eps). */
  readonly g: number;
}

/** Which entries a reference step trains: tensor name -> sorted flat indices, or "all" (MeZO). */
export type RefScope = ReadonlyMap<string, Uint32Array> | "all";

/** The masks of a MaskSet as the index lists a RefScope takes. */
export function refScopeOf(set: MaskSet): Map<string, Uint32Array> {
  return new Map([...set.masks].map(([n, m]) => [n, m.indices]));
}

/**
 * One reference ZO probe on `w` in place, as ZoTrainer (one probe) does on the GPU with a MaskedScope (or,
 * for "all", with every element of every tensor): save, +eps, L+, -2eps, L-, exact restore of the saved
 * values, update theta -= lr*g*z + lr*wd*theta (decay on 2-D layer matrices only).
 */
export function zoStepRef(w: HostWeights, scope: RefScope, loss: (w: HostWeights) => number, opts: ZoStepOptions): ZoStepResult {
  const { seed, eps, lr } = opts;
  const isMatrix = (id: number): boolean => w.tensors[id]!.shape.length === 2 && w.tensors[id]!.name.startsWith("layers.");
  const items = w.tensors.flatMap((t, id) => {
    const idx = scope === "all" ? null : scope.get(t.name);
    if (idx === undefined) return [];
    const table = packSegmentsRef(new Uint32Array([id, 0, t.data.length, 0]), t.data.length, { decay: isMatrix });
    return [{ data: t.data, idx, table, saved: t.data.slice() }];
  });
  const perturb = (scale: number): void => {
    for (const it of items) {
      if (it.idx === null) perturbArenaRef(it.data, it.table, seed, scale);
      else perturbMaskedRef(it.data, it.table, it.idx, seed, scale);
    }
  };
  perturb(eps);
  const lossPlus = loss(w);
  perturb(-2 * eps);
  const lossMinus = loss(w);
  for (const it of items) it.data.set(it.saved);
  const g = (lossPlus - lossMinus) / (2 * eps);
  const coef = lr * g, decay = lr * (opts.weightDecay ?? 0);
  for (const it of items) {
    if (it.idx === null) updateArenaRef(it.data, it.table, seed, coef, decay);
    else updateMaskedRef(it.data, it.table, it.idx, seed, coef, decay);
  }
  return { lossPlus, lossMinus, g };
}

/** Reference of src/mazo/loss.ts batchLoss: mean over the batch of each example's loss by its task's objective. */
export function batchLossRef(w: HostWeights, batch: readonly EncodedExample[]): number {
  if (batch.length === 0) throw new RangeError("batchLossRef: the batch is empty");
  let total = 0;
  for (const e of batch) total += exampleLoss(e.example.objective ?? "classification", scoreRef(w, e.sequences), e.example.label);
  return total / batch.length;
}
