/**
 * Plain MeZO steps over every parameter of a LlamaModel, spelled out with the perturbation kernels and
 * LlamaModel.score: perturb +eps, loss, perturb -2eps, loss, perturb +eps (restore), update with
 * g = (loss+ - loss-) / (2 eps) (or a fixed g). The browser tests run it in Chromium and in Node through
 * the same bundle and compare the losses; the demo worker uses it while no trainer is wired in.
 */
import { Recorder } from "../gpu/recorder.ts";
import { type ArenaPlan, createArenaPlan, destroyArenaPlan, perturbArena, updateArena } from "../kernels/perturb.ts";
import type { LlamaModel } from "../model/forward.ts";

/** Options of {@link mezoSteps}. */
export interface MezoStepOptions {
  readonly steps: number;
  /** Step i perturbs with seed (seed + i) mod 2^32. */
  readonly seed: number;
  /** Perturbation scale (MeZO's default 1e-3). */
  readonly eps?: number;
  /** Learning rate (default 1e-4). */
  readonly lr?: number;
  /** A fixed projected gradient instead of (loss+ - loss-) / (2 eps); isolates the update from noise. */
  readonly fixedG?: number;
  /** Called after every step (progress in workers). */
  readonly onStep?: (record: MezoStepRecord) => void;
}

/** One step's measurements. */
export interface MezoStepRecord {
  readonly step: number;
  readonly seed: number;
  readonly lossPlus: number;
  readonly lossMinus: number;
  /** The projected gradient applied. */
  readonly g: number;
}

/** Loss of the current weights: one forward pass over the batch. */
export type BatchLoss = () => Promise<number>;

/** Per-arena perturbation plans of a model's ParamStore, created once and reused every step. */
export function modelArenaPlans(model: LlamaModel): ArenaPlan[] {
  return model.store.buffers.map((b, i) => createArenaPlan(model.ctx, { label: `mezo.arena[${i}]`, buffer: b.buffer, elems: b.elems, segments: b.segments }));
}

function perturbAll(model: LlamaModel, plans: readonly ArenaPlan[], seed: number, scale: number): void {
  const rec = new Recorder(model.ctx, "mezo.perturb");
  for (const p of plans) perturbArena(model.ctx, rec, p, seed, scale);
  rec.submit();
}

function updateAll(model: LlamaModel, plans: readonly ArenaPlan[], seed: number, coef: number): void {
  const rec = new Recorder(model.ctx, "mezo.update");
  for (const p of plans) updateArena(model.ctx, rec, p, seed, coef, 0);
  rec.submit();
}

/** Runs `options.steps` MeZO steps on `loss` and returns each step's record. */
export async function mezoSteps(model: LlamaModel, loss: BatchLoss, options: MezoStepOptions): Promise<MezoStepRecord[]> {
  const eps = options.eps ?? 1e-3;
  const lr = options.lr ?? 1e-4;
  if (!Number.isInteger(options.steps) || options.steps < 0) throw new RangeError(`mezoSteps: steps must be a non-negative integer, got ${options.steps}`);
  if (!(eps > 0) || !Number.isFinite(eps)) throw new RangeError(`mezoSteps: eps must be finite and > 0, got ${eps}`);
  if (!Number.isFinite(lr)) throw new RangeError(`mezoSteps: lr must be finite, got ${lr}`);
  const plans = modelArenaPlans(model);
  const out: MezoStepRecord[] = [];
  try {
    for (let i = 0; i < options.steps; i++) {
      const seed = (options.seed + i) >>> 0;
      perturbAll(model, plans, seed, eps);
      const lossPlus = await loss();
      perturbAll(model, plans, seed, -2 * eps);
      const lossMinus = await loss();
      perturbAll(model, plans, seed, eps);
      const g = options.fixedG ?? (lossPlus - lossMinus) / (2 * eps);
      if (!Number.isFinite(g)) throw new RangeError(`mezoSteps: step ${i} has a non-finite projected gradient (loss+ ${lossPlus}, loss- ${lossMinus})`);
      updateAll(model, plans, seed, lr * g);
      const record = { step: i, seed, lossPlus, lossMinus, g };
      out.push(record);
      options.onStep?.(record);
    }
  } finally {
    for (const p of plans) destroyArenaPlan(model.ctx, p);
  }
  return out;
}

/** The mean next-token NLL of `sequences` (token id lists, BOS first) under the current weights. */
export function sequenceNll(model: LlamaModel, sequences: readonly (readonly number[])[]): BatchLoss {
  const seqs = sequences.map((t) => ({ tokens: t, targets: [...t.slice(1), -1] }));
  return async () => {
    const r = await model.score(seqs);
    let s = 0;
    for (let b = 0; b < r.mean.length; b++) s -= r.mean[b]!;
    return s / r.mean.length;
  };
}
