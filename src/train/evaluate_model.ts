/**
 * evaluate: MeZO-protocol accuracy and dev loss of a model (optionally with a LoRA adapter) on tasks,
 * with the splits drawn exactly as `fineTune` draws them (same seed, sizes and max length), so evaluating
 * the base model with a run's settings reproduces the run's "before" numbers and evaluating its result
 * reproduces "after". The same code (src/train/evaluate.ts) scores both.
 */
import type { GpuContext } from "../gpu/context.ts";
import { type HostLora, LoraAdapters } from "../lora/lora.ts";
import { modelScoreFn } from "../mazo/loss.ts";
import { LlamaModel } from "../model/forward.ts";
import { ParamStore } from "../model/param_store.ts";
import type { Tokenizer } from "../tokenizer/types.ts";
import { type EvalReport, evaluateTasks } from "./evaluate.ts";
import { modelGenerator } from "./generation_eval.ts";
import { resolveMaxLength } from "./max_length.ts";
import { DEFAULT_TASK_SIZES, type ModelSource, type TaskDataOptions } from "./options.ts";
import { prepareTasks } from "./prepared_tasks.ts";

/** What {@link evaluate} takes. */
export interface EvaluateOptions {
  readonly ctx: GpuContext;
  /** The model to evaluate (host weights, e.g. from loadModel, replay or applyAdapter). */
  readonly model: ModelSource;
  readonly tokenizer: Tokenizer;
  /** Tasks and split sizes (as fineTune: flags' sizes, then the task files', then 200/40/100; train is drawn but not scored). */
  readonly data: TaskDataOptions;
  /** A LoRA adapter applied on the GPU (not merged). */
  readonly adapter?: HostLora;
  /** Seed of the split sampling, as fineTune's trainer.seed (default 0). */
  readonly seed?: number;
  /** Tokens per scoring sequence at most, BOS included (default as fineTune's: the model's context, at most 2048 and what the device holds). */
  readonly maxLen?: number;
}

/**
 * Per-task test accuracy and dev loss of a model, and their averages (the shape of eval.json's
 * "before"/"after"). Uploads the model, scores, and frees it again.
 *
 * @example
 * ```ts
 * const report = await evaluate({ ctx, model, tokenizer, data: { tasks: ["sst2"], sizes: { test: 50 } } });
 * console.log(report.tasks.sst2?.accuracy);
 * ```
 */
export async function evaluate(o: EvaluateOptions): Promise<EvalReport> {
  const { ctx } = o;
  const config = o.model.weights.config;
  const seed = o.seed ?? 0;
  if (!Number.isInteger(seed) || seed < 0 || seed > 2 ** 32 - 1) throw new RangeError(`evaluate: seed must be an integer in [0, 2^32 - 1], got ${seed}`);
  const maxLen = o.maxLen;
  if (maxLen !== undefined && (!Number.isInteger(maxLen) || maxLen < 2)) throw new RangeError(`evaluate: maxLen must be an integer >= 2, got ${maxLen}`);
  if (o.data.tasks.length === 0) throw new RangeError("evaluate: data.tasks needs at least one task");
  if (o.tokenizer.vocabSize > config.vocabSize) throw new RangeError(`evaluate: the tokenizer has ${o.tokenizer.vocabSize} tokens but the model's vocabulary is ${config.vocabSize}`);
  const d = o.data;
  const tasks = await prepareTasks(d.tasks, o.tokenizer, {
    seed,
    ...(d.sizes !== undefined ? { sizes: d.sizes } : {}),
    defaultSizes: d.defaultSizes ?? DEFAULT_TASK_SIZES,
    maxLength: resolveMaxLength(maxLen, config, ctx.limits),
    ...(d.dataDir !== undefined ? { dataDir: d.dataDir } : {}),
    ...(d.read !== undefined ? { read: d.read } : {}),
    ...(d.readBytes !== undefined ? { readBytes: d.readBytes } : {}),
    ...(d.skipBad !== undefined ? { skipBad: d.skipBad } : {}),
  });
  const model = new LlamaModel(ctx, ParamStore.upload(ctx, o.model.weights));
  const lora = o.adapter === undefined ? null : new LoraAdapters(ctx, o.adapter);
  try {
    lora?.attach(model);
    return await evaluateTasks(tasks, modelScoreFn(model), modelGenerator(model, o.tokenizer));
  } finally {
    if (lora !== null) {
      lora.detach(model);
      lora.destroy();
    }
    model.releaseActivations();
    model.store.destroy(ctx);
  }
}
