/**
 * `mazo eval`: MeZO-protocol evaluation of a model on tasks: per task the test accuracy and the dev loss
 * (mean training loss on the dev examples), and their averages, printed as a table on stdout and written
 * to --out as JSON (shaped as one side of a run's eval.json, plus what was evaluated).
 *
 * The splits are drawn exactly as `mazo train --tasks` draws them (same seed, sizes, max length), so
 * `mazo eval --model <base>` with a run's settings reproduces the run's "before" numbers, and
 * `mazo eval --run <dir>` evaluates the run's final model/ (or base + adapter/) with the run's own task
 * settings, reproducing its "after" numbers. Explicit task flags override a run's settings.
 */
import { join } from "node:path";
import { tokenizerFromFile } from "../io/tokenizer_file.ts";
import { writeFileAtomic } from "../io/files.ts";
import { LoraAdapters } from "../lora/lora.ts";
import { modelScoreFn } from "../mazo/loss.ts";
import { LlamaModel } from "../model/forward.ts";
import { loadModel } from "../model/load.ts";
import { ParamStore } from "../model/param_store.ts";
import type { HostWeights } from "../model/weights.ts";
import { type EvalReport, evaluateTasks } from "../train/evaluate.ts";
import { modelGenerator } from "../train/generation_eval.ts";
import { resolveMaxLength } from "../train/max_length.ts";
import { prepareTasks } from "../train/prepared_tasks.ts";
import { fmtMetric } from "../train/report.ts";
import { checkTaskFiles, resolveTaskSettings, TASK_OPTIONS } from "./task_options.ts";
import { weightsHash } from "../zo/trajectory.ts";
import { type Command, numberOption, type OptionSpec, type OptionValues, UsageError } from "./command.ts";
import { contextFromOptions, GPU_OPTIONS } from "./gpu_options.ts";
import { defaultModelPath, MODEL_OPTIONS } from "./model_options.ts";
import { inBaseLayout, readPeftAdapter, readRunFolder } from "./run_folder.ts";

/** Task flags of eval; with --run, those given override the run's own values. */
const SPLIT_FLAGS = ["tasks", "data-dir", "train-n", "dev-n", "test-n", "skip-bad", "seed", "max-len"] as const;

/** A task option of train without its default (so eval can tell a given flag from a default). */
function noDefault(spec: OptionSpec): OptionSpec {
  const { default: _d, ...rest } = spec;
  const d = spec.description;
  return { ...rest, description: d.endsWith(")") ? `${d.slice(0, -1)}, or the run's with --run)` : `${d} (or the run's with --run)` };
}

const EVAL_OPTIONS: Readonly<Record<string, OptionSpec>> = {
  model: { ...MODEL_OPTIONS.model!, description: "model to evaluate: llama2.c .bin or Hugging Face folder (default stories260K; with --run, the base model of a LoRA run)" },
  tokenizer: { ...MODEL_OPTIONS.tokenizer!, description: "tokenizer file or folder (default: next to the model, or the run's)" },
  adapter: { type: "string", arg: "<dir>", description: "PEFT LoRA adapter folder applied on --model" },
  run: { type: "string", arg: "<dir>", description: "evaluate a mazo train run folder's final model/ or adapter/ with the run's task settings" },
  ...GPU_OPTIONS,
  tasks: { ...TASK_OPTIONS.tasks!, description: "comma list of built-in tasks and task files (default sst2,trec,copa, or the run's with --run)" },
  "data-dir": TASK_OPTIONS["data-dir"]!,
  "train-n": noDefault(TASK_OPTIONS["train-n"]!),
  "dev-n": noDefault(TASK_OPTIONS["dev-n"]!),
  "test-n": noDefault(TASK_OPTIONS["test-n"]!),
  "skip-bad": noDefault(TASK_OPTIONS["skip-bad"]!),
  seed: { type: "string", arg: "<S>", description: "seed of the train/dev/test sampling, as mazo train --seed (default 0, or the run's with --run)" },
  "max-len": { type: "string", arg: "<T>", description: "tokens per scoring sequence at most, BOS included (default as mazo train: the model's context, at most 2048 and what fits; or the run's with --run)" },
  out: { type: "string", arg: "<file.json>", description: "also write the report as JSON here" },
};

/** The evaluation table: one row per task, then the average. */
export function evalTable(r: EvalReport): string {
  const rows = [["task", "accuracy", "dev loss", "test n", "dev n"]];
  for (const [t, e] of Object.entries(r.tasks)) rows.push([t, fmtMetric(e), e.dev_loss.toFixed(4), String(e.test_n), String(e.dev_n)]);
  rows.push(["average", `${(100 * r.average).toFixed(1)}%`, r.dev_loss.toFixed(4), "", ""]);
  const w = rows[0]!.map((_, c) => Math.max(...rows.map((x) => x[c]!.length)));
  const line = (x: string[]) => "| " + x.map((v, c) => (c === 0 ? v.padEnd(w[c]!) : v.padStart(w[c]!))).join(" | ") + " |";
  return [line(rows[0]!), "|" + w.map((n, c) => (c === 0 ? "-".repeat(n + 2) : "-".repeat(n + 1) + ":")).join("|") + "|", ...rows.slice(1).map(line)].join("\n");
}

/** What to evaluate: weights, optional adapter, tokenizer path and a description. */
interface Subject {
  readonly weights: HostWeights;
  readonly adapterDir: string | null;
  readonly tokenizer: string | null;
  readonly what: string;
  readonly settings: OptionValues;
}

async function subjectOf(v: OptionValues): Promise<Subject> {
  if (typeof v.run !== "string") {
    const loaded = await loadModel(typeof v.model === "string" ? v.model : defaultModelPath());
    const adapterDir = typeof v.adapter === "string" ? v.adapter : null;
    return { weights: loaded.weights, adapterDir, tokenizer: loaded.tokenizerPath, what: loaded.path + (adapterDir === null ? "" : ` + adapter ${adapterDir}`), settings: v };
  }
  if (typeof v.adapter === "string") throw new UsageError("--adapter and --run exclude each other (a LoRA run's adapter/ is used)");
  const rf = readRunFolder(v.run);
  const settings: Record<string, string | boolean | undefined> = { ...rf.options };
  for (const k of SPLIT_FLAGS) if (v[k] !== undefined) settings[k] = v[k];
  if (!rf.isLora) {
    if (typeof v.model === "string") throw new UsageError(`--model with --run applies to LoRA runs only; ${rf.dir} is a ${rf.method} run whose model/ is evaluated`);
    const loaded = await loadModel(join(rf.dir, "model"));
    return { weights: inBaseLayout(loaded.weights, rf.header.model.config), adapterDir: null, tokenizer: rf.tokenizer, what: `${rf.dir}/model (${rf.method} run)`, settings };
  }
  const base = await loadModel(typeof v.model === "string" ? v.model : rf.baseModel);
  const hash = weightsHash(base.weights);
  if (hash !== rf.header.model.hash) throw new Error(`base model ${base.path} has fingerprint ${hash}; the run ${rf.dir} trained from ${rf.header.model.hash}`);
  return { weights: base.weights, adapterDir: join(rf.dir, "adapter"), tokenizer: rf.tokenizer ?? base.tokenizerPath, what: `${base.path} + ${rf.dir}/adapter (${rf.method} run)`, settings };
}

export const evalCommand: Command = {
  name: "eval",
  summary: "per-task accuracy and dev loss of a model (or a run folder's result) with MeZO's protocol",
  usage: "[--model <path> [--adapter <dir>] | --run <dir>] [--tasks sst2,trec,copa] [--train-n N --dev-n N --test-n N] [--seed S] [--max-len T] [--data-dir <dir>] [--out eval.json]",
  options: EVAL_OPTIONS,
  async run(v, _p, io) {
    const t0 = performance.now();
    const subject = await subjectOf(v);
    const sv = subject.settings;
    const settings = resolveTaskSettings(sv, "mezo");
    await checkTaskFiles(settings.tasks);
    const seed = Math.floor(numberOption(sv, "seed", 0, 0, 2 ** 32 - 1));
    const tokPath = typeof v.tokenizer === "string" ? v.tokenizer : subject.tokenizer;
    if (tokPath === null) throw new UsageError(`no tokenizer found for ${subject.what}; pass --tokenizer <path>`);
    const tokenizer = await tokenizerFromFile(tokPath);
    const config = subject.weights.config;
    if (tokenizer.vocabSize > config.vocabSize) throw new RangeError(`tokenizer ${tokPath} has ${tokenizer.vocabSize} tokens but the model's vocabulary is ${config.vocabSize}`);
    const maxLen = sv["max-len"] === undefined ? undefined : Math.floor(numberOption(sv, "max-len", 0, 2, 1 << 20));
    const ctx = await contextFromOptions(v, io);
    try {
      const maxLength = resolveMaxLength(maxLen, config, ctx.limits);
      const tasks = await prepareTasks(settings.tasks, tokenizer, { seed, sizes: settings.sizes, defaultSizes: settings.defaultSizes, skipBad: settings.skipBad, maxLength, ...(settings.dataDir !== undefined ? { dataDir: settings.dataDir } : {}) });
      for (const t of tasks) if (t.skipped.length > 0) io.err(`mazo eval: task ${t.name}: skipped ${t.skipped.length} record(s) that cannot be used (--skip-bad); first: ${t.skipped[0]}`);
      const model = new LlamaModel(ctx, ParamStore.upload(ctx, subject.weights));
      const lora = subject.adapterDir === null ? null : new LoraAdapters(ctx, readPeftAdapter(subject.adapterDir, config));
      lora?.attach(model);
      const report = await evaluateTasks(tasks, modelScoreFn(model), modelGenerator(model, tokenizer));
      const secs = (performance.now() - t0) / 1000;
      io.out(`${subject.what}: ${settings.tasks.join(",")} (train/dev/test ${tasks.map((t) => `${t.name} ${t.train.length}/${t.dev.length}/${t.test.length}`).join(", ")}, seed ${seed}, max length ${maxLength})`);
      io.out(evalTable(report));
      if (v.quiet !== true) io.err(`mazo eval: ${secs.toFixed(1)}s on ${ctx.info.description} via ${ctx.path}`);
      if (typeof v.out === "string") {
        const json = { model: subject.what, settings: { tasks: settings.tasks, sizes: settings.sizes, seed, max_len: maxLength }, gpu: `${ctx.info.description} via ${ctx.path}`, seconds: secs, ...report };
        writeFileAtomic(v.out, [new TextEncoder().encode(JSON.stringify(json, null, 2) + "\n")]);
        io.out(`wrote ${v.out}`);
      }
      return 0;
    } finally {
      ctx.destroy();
    }
  },
};
