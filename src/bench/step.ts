/**
 * ZO step cost relative to the forward pass, for MeZO (every weight) and MaZO (the calibrated mask at a
 * keep ratio, 1% by default): on one mixed-task batch, the median time of a plain forward loss, of the
 * scope kernels alone (bench/kernels.ts) and of a whole ZoTrainer step (two forward passes plus the
 * kernels), and step / (2 x forward): 1.0 would mean the perturbation, restore and update cost nothing.
 */
import type { GpuContext } from "../gpu/context.ts";
import { loadMaskEngine } from "../mask/engine.ts";
import { calibrate } from "../mazo/calibrate.ts";
import { batchLoss, modelScoreFn } from "../mazo/loss.ts";
import { MaskedScope } from "../mazo/masked_scope.ts";
import { buildMasks, type MaskMethod } from "../mazo/masks.ts";
import type { LlamaModel } from "../model/forward.ts";
import type { HostWeights } from "../model/weights.ts";
import type { EncodedExample, Tokenizer } from "../tasks/encode.ts";
import type { PreparedTask } from "../train/prepared_tasks.ts";
import { createFullScope } from "../zo/full_scope.ts";
import type { ZoScope } from "../zo/scope.ts";
import { ZoTrainer } from "../zo/trainer.ts";
import { benchScopeKernels } from "./kernels.ts";
import { median, textTable, timeRuns } from "./stats.ts";

/** One method's measurements. */
export interface StepRow {
  readonly method: "mezo" | "mazo";
  /** Entries the scope perturbs and updates. */
  readonly trainable: number;
  /** Median ms: one forward loss on the batch, the scope kernels alone, a whole step. */
  readonly forwardMs: number;
  readonly kernelsMs: number;
  readonly stepMs: number;
  /** stepMs / (2 forwardMs). */
  readonly ratio: number;
}

/** The batch of the step bench: examples taken from the tasks' train splits in turn. */
export function mixedBatch(tasks: readonly PreparedTask[], size: number): EncodedExample[] {
  const out: EncodedExample[] = [];
  for (let i = 0; out.length < size; i++) {
    const t = tasks[i % tasks.length]!;
    const e = t.train[Math.floor(i / tasks.length) % t.train.length];
    if (e !== undefined) out.push(e);
    if (i > size * tasks.length) throw new RangeError("mixedBatch: the tasks have no train examples");
  }
  return out;
}

/**
 * A mask of `keep` per row for the kernels/step benches: "mazo" calibrates on the tasks' train examples
 * (calibN per task); "sparse-mezo" needs no data (same k per row, so the same kernel cost).
 */
export async function benchMask(model: LlamaModel, weights: HostWeights, keep: number, method: MaskMethod, data?: { tokenizer: Tokenizer; tasks: readonly PreparedTask[]; calibN: number; maxLength: number }): Promise<MaskedScope> {
  const stats = method === "mazo" && data !== undefined
    ? await calibrate(model, data.tokenizer, data.tasks.map((t) => ({ task: t.name, examples: t.train.map((e) => e.example) })), { examples: data.calibN, maxLength: data.maxLength })
    : [];
  const set = buildMasks(await loadMaskEngine(), weights, stats, { method, keep });
  return new MaskedScope(model.ctx, model.store, set.masks);
}

/** Measures MeZO and MaZO (mask at `keep`) on `batch`; see the module doc. */
export async function benchSteps(ctx: GpuContext, model: LlamaModel, batch: readonly EncodedExample[], mazoScope: ZoScope, reps: number): Promise<StepRow[]> {
  const score = modelScoreFn(model);
  const loss = () => batchLoss(batch, score);
  const forwardMs = median(await timeRuns(loss, reps, 1));
  const rows: StepRow[] = [];
  for (const method of ["mezo", "mazo"] as const) {
    const scope = method === "mezo" ? await createFullScope(ctx, model.store) : mazoScope;
    const kernelsMs = await benchScopeKernels(ctx, scope, reps);
    // lr 0: the update kernels run (coefficient 0) and the weights stay as they are between methods.
    const trainer = new ZoTrainer(ctx, scope, { seed: 1, lr: 0, eps: 1e-3 });
    const stepMs = median(await timeRuns(() => trainer.stepWith(loss), reps, 1));
    rows.push({ method, trainable: scope.trainable, forwardMs, kernelsMs, stepMs, ratio: stepMs / (2 * forwardMs) });
    if (method === "mezo") scope.destroy();
  }
  return rows;
}

/** The step rows as a table. */
export function stepTable(rows: readonly StepRow[]): string {
  return textTable([
    ["method", "trained", "forward ms", "kernels ms", "step ms", "step / 2 fwd"],
    ...rows.map((r) => [r.method, r.trainable.toLocaleString("en"), r.forwardMs.toFixed(1), r.kernelsMs.toFixed(2), r.stepMs.toFixed(1), r.ratio.toFixed(3)]),
  ]);
}
