/**
 * A prepared fine-tuning run: the data loaded and encoded, the model uploaded, the method's scope built
 * (calibration and masks for the masked methods), and the pieces a training loop needs: the batch of
 * each step, the loss of a batch, a trainer, evaluation, and replay of recorded steps. `fineTune` drives
 * one; a swarm worker can drive its own (compute `lossOn(batch)` under its probe seeds, `applyStep` the
 * records it receives) with exactly the run's data order, loss and scope.
 */
import type { GpuContext } from "../gpu/context.ts";
import { batchLoss, modelScoreFn } from "../mazo/loss.ts";
import { LlamaModel, type ScoreSequence } from "../model/forward.ts";
import { ParamStore } from "../model/param_store.ts";
import type { EncodedExample, ScoreFn } from "../tasks/encode.ts";
import { TaskMixer } from "../tasks/mixer.ts";
import { Batcher, encodeTexts, lmBatchLoss, lmSequences } from "../zo/losses.ts";
import { replay } from "../zo/replay.ts";
import { ZoTrainer, type ZoTrainerState } from "../zo/trainer.ts";
import type { ReplayStep } from "../zo/trajectory.ts";
import { type EvalReport, evaluateDevLoss, evaluateTasks } from "./evaluate.ts";
import { modelGenerator } from "./generation_eval.ts";
import { resolveMaxLength } from "./max_length.ts";
import type { FineTuneOptions, ResolvedFineTune } from "./options.ts";
import { type PreparedTask, prepareTasks } from "./prepared_tasks.ts";
import type { RunSink } from "./sink.ts";
import { buildTarget, type TrainTarget } from "./target.ts";

/** One step's batch: task examples (classification / multiple choice) or LM sequences. */
export type RunBatch =
  | { readonly kind: "tasks"; readonly examples: readonly EncodedExample[] }
  | { readonly kind: "text"; readonly sequences: readonly ScoreSequence[] };

/** What {@link prepareRun} built; destroy() frees the model and the scope. */
export interface PreparedRun {
  readonly ctx: GpuContext;
  readonly model: LlamaModel;
  readonly target: TrainTarget;
  /** Encoded tasks (empty for text data). */
  readonly tasks: readonly PreparedTask[];
  /** Text data: the encoded sequences (BOS first). */
  readonly textExamples: number;
  /** Longest sequence used, BOS included. */
  readonly maxLength: number;
  /** The batch of the next step (batches are drawn in step order from the run seed). */
  nextBatch(): RunBatch;
  /** Mean training loss of `batch` under the current weights: one forward pass. */
  lossOn(batch: RunBatch): Promise<number>;
  /** A trainer over the run's scope (continuing from `state` when given). */
  trainer(state?: ZoTrainerState): ZoTrainer;
  /** Applies recorded steps (perturbations, restores, updates) to the scope: replay, no forward pass. */
  applySteps(steps: readonly ReplayStep[]): Promise<void>;
  /** Dev loss and the test metric (accuracy, or EM/F1 for generation) of every task. */
  evaluate(): Promise<EvalReport>;
  /** Mean dev loss over the tasks (NaN without dev examples). */
  devLoss(): Promise<number>;
  destroy(): void;
}

/** Builds a run from resolved options; `reuseMasks` reads masks.json from the sink (resume, rebuild). */
export async function prepareRun(o: FineTuneOptions, r: ResolvedFineTune, sink: RunSink, reuseMasks: boolean, note: (t: string) => void): Promise<PreparedRun> {
  const { ctx } = o;
  const { cfg } = r;
  const weights = o.model.weights;
  const maxLength = resolveMaxLength(cfg.maxLen, weights.config, ctx.limits);
  let tasks: PreparedTask[] = [];
  let texts: number[][] = [];
  if (r.text !== undefined) {
    texts = encodeTexts(r.text.texts, o.tokenizer, maxLength);
    if (texts.length === 0) throw new RangeError(`${r.text.label ?? "data.texts"}: no text with at least one token after BOS`);
  } else {
    const s = r.settings!;
    const d = r.tasks!;
    tasks = await prepareTasks(d.tasks, o.tokenizer, {
      seed: cfg.trainer.seed,
      sizes: s.sizes,
      defaultSizes: s.defaultSizes,
      maxLength,
      skipBad: s.skipBad,
      ...(d.dataDir !== undefined ? { dataDir: d.dataDir } : {}),
      ...(d.read !== undefined ? { read: d.read } : {}),
      ...(d.readBytes !== undefined ? { readBytes: d.readBytes } : {}),
    });
    note(`tasks: ${tasks.map((t) => `${t.name} ${t.train.length}/${t.dev.length}/${t.test.length}`).join(", ")} (train/dev/test)`);
  }
  const model = new LlamaModel(ctx, ParamStore.upload(ctx, weights));
  let target: TrainTarget;
  try {
    target = await buildTarget({ ctx, model, weights, tokenizer: o.tokenizer, tasks, cfg, mask: r.mask, maxLength, baseModel: o.model.name ?? "", sink, reuseMasks, merge: o.merge === true });
  } catch (e) {
    model.releaseActivations();
    model.store.destroy(ctx);
    throw e;
  }
  const score: ScoreFn = modelScoreFn(model);
  let nextBatch: () => RunBatch;
  if (r.text !== undefined) {
    const batcher = new Batcher(lmSequences(texts), cfg.batch, cfg.trainer.seed);
    let step = 0;
    nextBatch = () => ({ kind: "text", sequences: batcher.at(step++) });
  } else {
    const mixer = new TaskMixer<EncodedExample>(tasks.map((t) => ({ task: t.name, train: t.train })), { batchSize: cfg.batch, seed: cfg.trainer.seed, mode: r.settings!.mix });
    nextBatch = () => ({ kind: "tasks", examples: mixer.next() });
  }
  return {
    ctx,
    model,
    target,
    tasks,
    textExamples: texts.length,
    maxLength,
    nextBatch,
    lossOn: (b) => (b.kind === "tasks" ? batchLoss(b.examples, score) : lmBatchLoss(model, b.sequences)),
    trainer: (state) => new ZoTrainer(ctx, target.scope, cfg.trainer, state),
    applySteps: (steps) => replay(ctx, target.scope, steps),
    evaluate: () => evaluateTasks(tasks, score, modelGenerator(model, o.tokenizer)),
    devLoss: () => (tasks.length === 0 ? Promise.resolve(NaN) : evaluateDevLoss(tasks, score)),
    destroy() {
      target.destroy();
      model.releaseActivations();
      model.store.destroy(ctx);
    },
  };
}
