/**
 * `mazo train`: zeroth-order fine-tuning (MeZO over all weights, or MeZO over LoRA adapters) on plain text
 * LM data ({"text": ...} per line). Writes into --out: config.json (resolved options), metrics.jsonl
 * (step, loss, g, lr, ms), trajectory.jsonl (header + every step, enough to replay the weights) and the
 * final weights (model/, a Hugging Face folder) or adapter (adapter/, PEFT format; merged/ with --merge).
 * Prints the peak GPU bytes of a forward pass and of a training step.
 *
 * Reuse: `resolveTrainConfig` turns option values into a TrainConfig, `buildZoTarget` makes the scope for
 * a method, and `runZoTraining` runs any scope with any per-step loss (the multi-task glue plugs in a
 * classification loss and a masked scope there).
 */
import { mkdirSync, readFileSync, writeFileSync, appendFileSync } from "node:fs";
import { join } from "node:path";
import type { GpuContext } from "../gpu/context.ts";
import { writeFileAtomic } from "../io/files.ts";
import { LlamaModel } from "../model/forward.ts";
import { writeHfFolder } from "../model/load.ts";
import { ParamStore } from "../model/param_store.ts";
import type { HostWeights } from "../model/weights.ts";
import { paramCount } from "../model/weights.ts";
import { checkLoraConfig, initHostLora, type LoraConfig, LoraAdapters, type LoraTarget } from "../lora/lora.ts";
import { encodePeftFolder, mergeLora } from "../lora/peft.ts";
import { createLoraScope } from "../lora/scope.ts";
import { createFullScope, PARAM_GROUPS, type ParamGroup } from "../zo/full_scope.ts";
import { encodeTexts, type LossForStep, lmLossForStep, parseTextJsonl } from "../zo/losses.ts";
import type { LrSchedule, LrScheduleKind } from "../zo/schedule.ts";
import type { ZoScope } from "../zo/scope.ts";
import { type StepRecord, ZoAbortError, ZoTrainer, type ZoTrainerOptions } from "../zo/trainer.ts";
import { type TrajectoryHeader, weightsHash } from "../zo/trajectory.ts";
import { TrajectoryWriter } from "../zo/trajectory_file.ts";
import { type CliIO, type Command, numberOption, type OptionSpec, type OptionValues, requireString, UsageError } from "./command.ts";
import { contextFromOptions, GPU_OPTIONS } from "./gpu_options.ts";
import { MODEL_OPTIONS, modelFromOptions } from "./model_options.ts";
import { TASK_METHODS, TASK_OPTIONS } from "../train/task_config.ts";
import { lineChartSvg } from "../report/svg_chart.ts";
import { Progress } from "../report/progress.ts";
import { runTasksCommand } from "./train_tasks.ts";

/** Methods of plain-text (--data) training; --tasks takes every method of TASK_METHODS. */
export const TRAIN_METHODS = ["mezo", "lora-mezo"] as const;
export type TrainMethod = (typeof TRAIN_METHODS)[number];

/** The options of `mazo train` (the tasks glue extends this record). */
export const TRAIN_OPTIONS: Readonly<Record<string, OptionSpec>> = {
  ...MODEL_OPTIONS,
  ...GPU_OPTIONS,
  data: { type: "string", arg: "<file.jsonl>", description: 'plain text LM data, one {"text": ...} per line' },
  method: { type: "string", arg: "<name>", choices: TASK_METHODS, description: "what to train (default: mazo with --tasks, mezo with --data); --data takes mezo or lora-mezo" },
  steps: { type: "string", arg: "<N>", description: "training steps (default 100; 200 with --tasks)" },
  lr: { type: "string", arg: "<X>", description: "peak learning rate (default 1e-5 with --data; with --tasks 3e-5 for mezo, 1e-3 for the masked and LoRA methods)" },
  eps: { type: "string", arg: "<E>", default: "1e-3", description: "perturbation size" },
  batch: { type: "string", arg: "<B>", description: "sequences per batch with --data (default 8); examples per batch with --tasks (default 12)" },
  "max-len": { type: "string", arg: "<T>", default: "128", description: "tokens per sequence at most (BOS included)" },
  seed: { type: "string", arg: "<S>", default: "0", description: "run seed (probe seeds, batch order, LoRA init)" },
  out: { type: "string", arg: "<dir>", description: "run folder (created)" },
  probes: { type: "string", arg: "<q>", default: "1", description: "SPSA probes averaged per step" },
  "weight-decay": { type: "string", arg: "<wd>", default: "0", description: "weight decay (matrices only; LoRA: A and B)" },
  schedule: { type: "string", arg: "<kind>", choices: ["constant", "linear", "cosine"], default: "constant", description: "learning-rate schedule" },
  warmup: { type: "string", arg: "<N>", default: "0", description: "linear warmup steps" },
  momentum: { type: "string", arg: "<beta>", default: "0", description: "momentum on the projected gradient (window of past seeds, no per-parameter memory)" },
  clip: { type: "string", arg: "<c>", description: "clip each projected gradient g to [-c, c]" },
  exact: { type: "boolean", default: false, description: "exact (grid) mode: bit-exact restore after each probe" },
  groups: { type: "string", arg: "<list>", default: "matrices,norms,embeddings", description: "mezo: parameter groups that train (comma list)" },
  "lora-rank": { type: "string", arg: "<r>", default: "8", description: "LoRA rank" },
  "lora-alpha": { type: "string", arg: "<a>", default: "16", description: "LoRA alpha (scale alpha/r)" },
  "lora-targets": { type: "string", arg: "<list>", default: "wq,wv", description: "LoRA target projections (wq,wk,wv,wo,w1,w2,w3)" },
  merge: { type: "boolean", default: false, description: "lora-mezo, lora-mazo: also write the merged model to merged/" },
  "log-every": { type: "string", arg: "<N>", default: "10", description: "steps between progress lines" },
  ...TASK_OPTIONS,
};

/** Everything `mazo train` resolved from its options (written to config.json). */
export interface TrainConfig {
  readonly method: TrainMethod;
  readonly steps: number;
  readonly batch: number;
  readonly maxLen: number;
  readonly exact: boolean;
  readonly groups: readonly ParamGroup[];
  readonly lora: LoraConfig;
  readonly trainer: ZoTrainerOptions;
  readonly logEvery: number;
}

function list(v: OptionValues, name: string): string[] {
  return String(v[name] ?? "").split(",").map((s) => s.trim()).filter((s) => s !== "");
}

/** Validates and resolves the training options (UsageError naming the bad one). */
export function resolveTrainConfig(v: OptionValues, fallback: { steps: number; lr: number; batch: number } = { steps: 100, lr: 1e-5, batch: 8 }): TrainConfig {
  const method = String(v.method ?? "mezo") as TrainMethod;
  if (!TRAIN_METHODS.includes(method)) throw new UsageError(`--method with --data must be one of ${TRAIN_METHODS.join(", ")}; got ${JSON.stringify(method)} (masked methods need --tasks)`);
  const steps = numberOption(v, "steps", fallback.steps, 0, 2 ** 31);
  const seed = numberOption(v, "seed", 0, 0, 2 ** 32 - 1);
  const lr = numberOption(v, "lr", fallback.lr, 0, 1e3);
  const groups = list(v, "groups") as ParamGroup[];
  for (const g of groups) if (!PARAM_GROUPS.includes(g)) throw new UsageError(`--groups: unknown group "${g}"; valid: ${PARAM_GROUPS.join(", ")}`);
  const kind = String(v.schedule ?? "constant") as LrScheduleKind;
  const warmup = numberOption(v, "warmup", 0, 0, 2 ** 31);
  const schedule: LrSchedule = kind === "constant" ? { kind, lr, warmup } : { kind, lr, warmup, totalSteps: Math.max(steps, warmup + 1) };
  const clip = v.clip === undefined ? undefined : numberOption(v, "clip", 0, 1e-30);
  const trainer: ZoTrainerOptions = {
    seed: Math.floor(seed),
    lr: schedule,
    eps: numberOption(v, "eps", 1e-3, 1e-12, 1),
    weightDecay: numberOption(v, "weight-decay", 0, 0, 1e6),
    probes: numberOption(v, "probes", 1, 1, 4096),
    momentum: numberOption(v, "momentum", 0, 0, 0.999),
    ...(clip === undefined ? {} : { clip }),
  };
  let lora: LoraConfig;
  try {
    lora = checkLoraConfig({
      rank: numberOption(v, "lora-rank", 8, 1, 4096),
      alpha: numberOption(v, "lora-alpha", 16, 1e-30),
      targets: list(v, "lora-targets") as LoraTarget[],
      seed: Math.floor(seed),
    });
  } catch (e) {
    throw new UsageError((e as Error).message);
  }
  return {
    method,
    steps: Math.floor(steps),
    batch: Math.floor(numberOption(v, "batch", fallback.batch, 1, 1 << 16)),
    maxLen: Math.floor(numberOption(v, "max-len", 128, 2, 1 << 20)),
    exact: v.exact === true,
    groups,
    lora,
    trainer,
    logEvery: Math.max(1, Math.floor(numberOption(v, "log-every", 10, 1))),
  };
}

/** What a method trains: its scope, how to write the result, and the trajectory header's part. */
export interface ZoTarget {
  readonly scope: ZoScope;
  readonly header: Pick<TrajectoryHeader, "method" | "scope"> & { readonly lora?: Readonly<Record<string, unknown>> };
  /** Writes the final weights/adapter under `out`; returns the paths written. */
  finish(out: string): Promise<string[]>;
  destroy(): void;
}

/** The scope of `mezo` (FullScope) or `lora-mezo` (adapters attached to the model). */
export async function buildZoTarget(ctx: GpuContext, model: LlamaModel, weights: HostWeights, cfg: TrainConfig, baseModel: string, merge: boolean): Promise<ZoTarget> {
  const eps = cfg.trainer.eps;
  if (cfg.method === "mezo") {
    const scope = await createFullScope(ctx, model.store, cfg.exact ? { groups: cfg.groups, exact: true, eps, weights } : { groups: cfg.groups });
    return {
      scope,
      header: { method: "mezo", scope: { kind: scope.kind, exact: cfg.exact, groups: cfg.groups, ...(cfg.exact ? { eps } : {}) } },
      finish: async (out) => writeHfFolder(join(out, "model"), await model.store.download(ctx)),
      destroy: () => scope.destroy(),
    };
  }
  const lora = new LoraAdapters(ctx, initHostLora(model.config, cfg.lora));
  lora.attach(model);
  const scope = createLoraScope(ctx, lora, cfg.exact ? { exact: true, eps } : {});
  return {
    scope,
    header: { method: "lora-mezo", scope: { kind: scope.kind, exact: cfg.exact, ...(cfg.exact ? { eps } : {}) }, lora: { ...cfg.lora } },
    finish: async (out) => writeLoraResult(out, lora, weights, baseModel, merge),
    destroy: () => {
      lora.detach(model);
      lora.destroy();
      scope.destroy();
    },
  };
}

/** Writes adapter/ (PEFT) and, with `merge`, merged/ (HF folder). */
export async function writeLoraResult(out: string, lora: LoraAdapters, base: HostWeights, baseModel: string, merge: boolean): Promise<string[]> {
  const host = await lora.download();
  const written: string[] = [];
  for (const [file, parts] of encodePeftFolder(base.config, host, baseModel)) {
    writeFileAtomic(join(out, "adapter", file), parts);
    written.push(join(out, "adapter", file));
  }
  if (merge) written.push(...writeHfFolder(join(out, "merged"), mergeLora(base, host)));
  return written;
}

/** Inputs of runZoTraining. */
export interface ZoRunSpec {
  readonly ctx: GpuContext;
  readonly scope: ZoScope;
  readonly trainer: ZoTrainerOptions;
  readonly steps: number;
  /** The batch loss of each step. */
  readonly lossFor: LossForStep;
  /** Run folder. */
  readonly out: string;
  /** Trajectory header (method, scope, model fingerprint, ...). */
  readonly header: Omit<TrajectoryHeader, "type" | "version">;
  readonly io: CliIO;
  readonly quiet?: boolean;
  readonly logEvery?: number;
  /** Called after each step (extra metrics, evaluation, checkpoints). */
  readonly onStep?: (r: StepRecord) => Promise<void> | void;
}

export interface ZoRunResult {
  readonly records: StepRecord[];
  /**
   * Peak GPU bytes of one forward pass and of one training step on the same batch (step 0's), their
   * ratio, and the peak over the whole run (higher when batches of other lengths add activation shapes,
   * which the model caches for inference alike).
   */
  readonly memory: { readonly forward: number; readonly step: number; readonly ratio: number; readonly runPeak: number };
  /** Mean step time / (2 x probes x forward time). */
  readonly stepOverForward: number;
}

/** Runs `steps` ZO steps, writing metrics.jsonl and trajectory.jsonl into `out` and printing progress. */
export async function runZoTraining(spec: ZoRunSpec): Promise<ZoRunResult> {
  const { ctx, io, out } = spec;
  mkdirSync(out, { recursive: true });
  const metricsPath = join(out, "metrics.jsonl");
  writeFileSync(metricsPath, "");
  const traj = new TrajectoryWriter(join(out, "trajectory.jsonl"), spec.header);
  const trainer = new ZoTrainer(ctx, spec.scope, spec.trainer);
  // Forward-pass memory and time on step 0's batch (the first call also allocates the activations).
  ctx.memory.resetPeak();
  await spec.lossFor(0)();
  const forwardPeak = ctx.memory.report().peakTotal;
  const tf = performance.now();
  await spec.lossFor(0)();
  const forwardMs = performance.now() - tf;
  const records: StepRecord[] = [];
  let stepPeak = 0, runPeak = 0;
  const progress = new Progress({
    total: spec.steps,
    label: spec.header.method,
    tty: io.isTTY,
    quiet: spec.quiet === true,
    everySteps: spec.logEvery ?? 10,
    write: (t) => (io.errWrite === undefined ? io.err(t.replace(/\n$/, "")) : io.errWrite(t)),
  });
  for (let s = 0; s < spec.steps; s++) {
    ctx.memory.resetPeak();
    let r: StepRecord;
    try {
      r = await trainer.stepWith(spec.lossFor(s));
    } catch (e) {
      if (e instanceof ZoAbortError) traj.append(e.record);
      throw e;
    }
    const peak = ctx.memory.report().peakTotal;
    if (s === 0) stepPeak = peak;
    runPeak = Math.max(runPeak, peak);
    traj.append(r);
    records.push(r);
    appendFileSync(metricsPath, JSON.stringify({ step: r.step, loss: r.loss, g: r.g, lr: r.lr, ms: r.ms, skipped: r.skipped }) + "\n");
    await spec.onStep?.(r);
    progress.update(s + 1, { loss: r.loss, g: r.g.map((x) => x.toExponential(2)).join(","), ...(r.skipped ? { skipped: "yes" } : {}) });
  }
  const meanMs = records.reduce((a, r) => a + r.ms, 0) / Math.max(1, records.length);
  const probes = spec.trainer.probes ?? 1;
  return { records, memory: { forward: forwardPeak, step: stepPeak, ratio: stepPeak / forwardPeak, runPeak }, stepOverForward: meanMs / (2 * probes * forwardMs) };
}

export const trainCommand: Command = {
  name: "train",
  summary: "zeroth-order fine-tuning: MaZO multi-task on --tasks (the default), or MeZO/LoRA-MeZO on --data text",
  usage: "[--tasks sst2,trec,copa] [--method mazo|mezo|sparse-mezo|random-mask|single-task|lora-mezo|lora-mazo] [--out <dir>] [--resume <dir>] ... | --data <file.jsonl> --out <dir> [--method mezo|lora-mezo] ...",
  options: TRAIN_OPTIONS,
  async run(v, _p, io) {
    if (v.data === undefined) return await runTasksCommand(v, io);
    const cfg = resolveTrainConfig(v);
    const dataPath = requireString(v, "data");
    const out = requireString(v, "out");
    const { loaded, tokenizer } = await modelFromOptions(v, true);
    const texts = parseTextJsonl(readFileSync(dataPath, "utf8"), dataPath);
    const examples = encodeTexts(texts, tokenizer!, Math.min(cfg.maxLen, loaded.weights.config.maxSeqLen));
    if (examples.length === 0) throw new UsageError(`--data ${dataPath}: no text with at least one token after BOS`);
    const ctx = await contextFromOptions(v, io);
    try {
      const model = new LlamaModel(ctx, ParamStore.upload(ctx, loaded.weights));
      const target = await buildZoTarget(ctx, model, loaded.weights, cfg, loaded.path, v.merge === true);
      const resolved = { ...Object.fromEntries(Object.entries(v).filter(([k]) => k !== "config" && k !== "help")), resolved: cfg, model: loaded.path, examples: examples.length };
      mkdirSync(out, { recursive: true });
      writeFileAtomic(join(out, "config.json"), [new TextEncoder().encode(JSON.stringify(resolved, null, 2) + "\n")]);
      const header = {
        ...target.header,
        model: { hash: weightsHash(loaded.weights), params: paramCount(loaded.weights), config: loaded.weights.config, path: loaded.path },
        trainer: { ...cfg.trainer },
        extra: { data: dataPath, batch: cfg.batch, maxLen: cfg.maxLen },
      };
      const result = await runZoTraining({
        ctx,
        scope: target.scope,
        trainer: cfg.trainer,
        steps: cfg.steps,
        lossFor: lmLossForStep(model, examples, cfg.batch, cfg.trainer.seed),
        out,
        header,
        io,
        quiet: v.quiet === true,
        logEvery: cfg.logEvery,
      });
      const written = await target.finish(out);
      const svg = lineChartSvg([{ name: "train loss (batch)", points: result.records.map((r) => [r.step + 1, r.loss] as const) }], { title: `${cfg.method} on ${dataPath}`, xLabel: "step", yLabel: "loss" });
      writeFileAtomic(join(out, "loss.svg"), [new TextEncoder().encode(svg)]);
      written.push(join(out, "loss.svg"));
      const m = result.memory;
      io.err(`mazo train: peak GPU bytes: forward pass ${m.forward}, training step ${m.step} (ratio ${m.ratio.toFixed(4)}; run peak ${m.runPeak} with other batch shapes); trainable ${target.scope.trainable}; step time / (2 x forward) ${result.stepOverForward.toFixed(2)}`);
      for (const f of [join(out, "config.json"), join(out, "metrics.jsonl"), join(out, "trajectory.jsonl"), ...written]) io.out(f);
      target.destroy();
      model.releaseActivations();
      model.store.destroy(ctx);
      return 0;
    } finally {
      ctx.destroy();
    }
  },
};
