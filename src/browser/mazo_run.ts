/**
 * MaZO fine-tuning as the demo and the browser tests run it, through the project's trainer: calibrate
 * on each task's train examples (src/mazo/calibrate.ts), build the MaZO masks with the Wasm mask engine
 * (src/mazo/masks.ts), train the masked entries with ZoTrainer (src/zo/trainer.ts) on seeded
 * multi-task batches (src/tasks/mixer.ts). Runs the same in a page, a worker, Node and Deno.
 */
import { loadMaskEngine } from "../mask/engine.ts";
import { calibrate } from "../mazo/calibrate.ts";
import { batchLoss, modelScoreFn } from "../mazo/loss.ts";
import { MaskedScope } from "../mazo/masked_scope.ts";
import { buildMasks } from "../mazo/masks.ts";
import type { LlamaModel } from "../model/forward.ts";
import { encodeExample, type EncodedExample } from "../tasks/encode.ts";
import type { TaskSplits } from "../tasks/example.ts";
import { TaskMixer } from "../tasks/mixer.ts";
import type { Tokenizer } from "../tokenizer/types.ts";
import { ZoTrainer } from "../zo/trainer.ts";

/** Options of {@link createMazoRun}. */
export interface MazoRunOptions {
  readonly seed: number;
  readonly eps: number;
  readonly lr: number;
  /** Fraction of each weight row trained (default 0.05, MaZO's). */
  readonly keep?: number;
  /** Examples per step, mixed across tasks. */
  readonly batch: number;
  /** Longest sequence, BOS included. */
  readonly maxLength: number;
  /** Calibration examples per task (default min(16, train size)). */
  readonly calibrationExamples?: number;
}

/** A prepared MaZO run: call step() per training step; destroy() frees the mask buffers. */
export interface MazoRun {
  /** Entries trained and entries in the model. */
  readonly trainable: number;
  readonly total: number;
  readonly description: string;
  /** One ZO step on the next batch; returns the mean of loss+ and loss- and both. */
  step(): Promise<{ loss: number; lossPlus: number; lossMinus: number; seed: number }>;
  destroy(): void;
}

/** Calibrates, builds the masks and the trainer over `model` for the tasks' train splits. */
export async function createMazoRun(model: LlamaModel, tokenizer: Tokenizer, splits: readonly TaskSplits[], options: MazoRunOptions): Promise<MazoRun> {
  const keep = options.keep ?? 0.05;
  const calExamples = options.calibrationExamples ?? Math.max(1, Math.min(16, ...splits.map((s) => s.train.length)));
  const stats = await calibrate(model, tokenizer, splits.map((s) => ({ task: s.task, examples: s.train })), { examples: calExamples, maxLength: options.maxLength });
  const weights = await model.store.download(model.ctx);
  const set = buildMasks(await loadMaskEngine(), weights, stats, { method: "mazo", keep });
  const scope = new MaskedScope(model.ctx, model.store, set.masks);
  const trainer = new ZoTrainer(model.ctx, scope, { seed: options.seed, lr: options.lr, eps: options.eps });
  const encoded = splits.map((s) => ({ task: s.task, train: s.train.map((e): EncodedExample => encodeExample(e, tokenizer, { maxLength: options.maxLength })) }));
  const mixer = new TaskMixer(encoded, { batchSize: options.batch, seed: options.seed });
  const score = modelScoreFn(model);
  return {
    trainable: set.trainable,
    total: set.total,
    description: `MaZO (keep ${keep}: ${set.trainable.toLocaleString("en")} of ${set.total.toLocaleString("en")} entries; eps ${options.eps}, lr ${options.lr})`,
    async step() {
      const batch = mixer.next();
      const r = await trainer.stepWith(() => batchLoss(batch, score));
      return { loss: r.loss, lossPlus: r.lossPlus[0]!, lossMinus: r.lossMinus[0]!, seed: r.seeds[0]! };
    },
    destroy() {
      scope.destroy();
    },
  };
}
