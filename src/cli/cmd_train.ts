/**
 * `mazo train`: zeroth-order fine-tuning through the library's fineTune (src/train/fine_tune.ts):
 * multi-task MaZO (or a baseline, or LoRA) on --tasks (the default), or MeZO / LoRA-MeZO on plain text
 * LM data (--data, {"text": ...} per line). This file only turns flags into FineTuneOptions, prints the
 * run's events and its summary; the run folder (--out) is written by fineTune through a folder sink:
 * config.json, metrics.jsonl, trajectory.jsonl, checkpoint.json, masks.json, eval.json, loss.svg and
 * model/ (or adapter/, merged/ with --merge). `--resume <dir>` continues a task run from its checkpoint
 * with the options saved in its config.json.
 */
import { existsSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { folderSink } from "../io/folder_sink.ts";
import { resumedValues } from "./resume_options.ts";
import { parseJsonText } from "../io/json.ts";
import { fmtDuration } from "../report/progress.ts";
import { fineTune } from "../train/fine_tune.ts";
import { defaultLr, TEXT_METHODS, type TaskMethod } from "../train/options.ts";
import { MEZO_MAX_LENGTH } from "../train/max_length.ts";
import { beforeAfterTable } from "../train/report.ts";
import type { LrSchedule } from "../zo/schedule.ts";
import { encodeTexts, parseTextJsonl } from "../zo/losses.ts";
import { type CliIO, type Command, type OptionValues, requireString, UsageError } from "./command.ts";
import { contextFromOptions } from "./gpu_options.ts";
import { modelFromOptions } from "./model_options.ts";
import { checkTaskFiles, resolveTaskSettings } from "./task_options.ts";
import { cliEvents } from "./train_events.ts";
import { fineTuneFields, resolveTrainConfig, taskData, TRAIN_OPTIONS } from "./train_options.ts";

export { TRAIN_OPTIONS };

/** Option values saved in a run's config.json, for --resume. */
function savedOptions(dir: string): OptionValues {
  const path = join(dir, "config.json");
  if (!existsSync(path)) throw new UsageError(`--resume ${dir}: no config.json there; is it a mazo run folder?`);
  const c = parseJsonText(readFileSync(path, "utf8"), path) as { options?: OptionValues } | null;
  if (c === null || typeof c !== "object" || c.options === undefined) throw new UsageError(`--resume ${dir}: config.json has no "options" record (not written by mazo train --tasks)`);
  return c.options;
}

function fmtLr(lr: number | LrSchedule): string {
  if (typeof lr === "number") return String(lr);
  return `${lr.lr} (${lr.kind}${lr.warmup ? `, warmup ${lr.warmup}` : ""})`;
}

/** `mazo train --data`: LM fine-tuning on plain text. */
async function runText(v: OptionValues, io: CliIO): Promise<number> {
  const method = String(v.method ?? "mezo") as TaskMethod;
  if (!(TEXT_METHODS as readonly string[]).includes(method)) throw new UsageError(`--method with --data must be one of ${TEXT_METHODS.join(", ")}; got ${JSON.stringify(method)} (masked methods need --tasks)`);
  const cfg = resolveTrainConfig(v, method, { steps: 100, lr: 1e-5, batch: 8 });
  const dataPath = requireString(v, "data");
  const out = requireString(v, "out");
  const sink = folderSink(out, v.overwrite === true ? "overwrite" : "refuse"); // checked before any work
  const { loaded, tokenizer } = await modelFromOptions(v, true);
  const texts = parseTextJsonl(readFileSync(dataPath, "utf8"), dataPath);
  const examples = encodeTexts(texts, tokenizer!, Math.min(cfg.maxLen ?? MEZO_MAX_LENGTH, loaded.weights.config.maxSeqLen)).length;
  if (examples === 0) throw new UsageError(`--data ${dataPath}: no text with at least one token after BOS`);
  const ctx = await contextFromOptions(v, io);
  try {
    const resolved = { ...Object.fromEntries(Object.entries(v).filter(([k]) => k !== "config" && k !== "help")), resolved: cfg, model: loaded.path, examples };
    const r = await fineTune({
      ctx,
      model: { weights: loaded.weights, name: loaded.path },
      tokenizer: tokenizer!,
      data: { texts, label: dataPath },
      ...fineTuneFields(cfg),
      merge: v.merge === true,
      sink,
      config: resolved,
      onEvent: cliEvents(io, { label: method, total: cfg.steps, quiet: v.quiet === true, everySteps: cfg.logEvery, showG: true }),
    });
    const m = r.memory;
    io.err(`mazo train: peak GPU bytes: forward pass ${m.forward}, training step ${m.step} (ratio ${m.ratio.toFixed(4)}; run peak ${m.runPeak} with other batch shapes); trainable ${r.trainable}; step time / (2 x forward) ${r.stepOverForward.toFixed(2)}`);
    for (const f of r.written) io.out(f);
    return 0;
  } finally {
    ctx.destroy();
  }
}

/** `mazo train --tasks` (the default): multi-task training with a before/after accuracy table. */
async function runTasks(v: OptionValues, io: CliIO, given: ReadonlySet<string>): Promise<number> {
  const resume = typeof v.resume === "string";
  let values: OptionValues = v;
  if (resume) {
    const r = resumedValues(v.resume as string, savedOptions(v.resume as string), v, given);
    values = r.values;
    for (const n of r.notes) io.err(`mazo train: ${n}`);
  }
  const method = String(values.method ?? "mazo");
  const settings = resolveTaskSettings(values, method);
  await checkTaskFiles(settings.tasks);
  const cfg = resolveTrainConfig(values, settings.method, { steps: 200, lr: defaultLr(method), batch: 12 });
  const stamp = new Date().toISOString().replace(/[:.]/g, "-").slice(0, 19);
  const out = resume ? (v.resume as string) : typeof values.out === "string" ? values.out : join("runs", `${stamp}-${method}`);
  const sink = folderSink(out, resume ? "resume" : v.overwrite === true ? "overwrite" : "refuse"); // checked before the GPU starts
  const { loaded, tokenizer } = await modelFromOptions(values, true);
  const ctx = await contextFromOptions(values, io);
  try {
    const options = Object.fromEntries(Object.entries(values).filter(([k, x]) => x !== undefined && !["config", "help", "resume", "quiet"].includes(k)));
    const r = await fineTune({
      ctx,
      model: { weights: loaded.weights, name: loaded.path },
      tokenizer: tokenizer!,
      data: taskData(settings),
      ...fineTuneFields(cfg, settings),
      merge: values.merge === true,
      sink,
      resume,
      config: { options: { ...options, method, out, tasks: settings.tasks.join(",") }, method, settings, trainer: cfg.trainer, batch: cfg.batch, steps: cfg.steps, maxLen: cfg.maxLen, model: loaded.path, tokenizer: loaded.tokenizerPath, adapter: `${ctx.info.description} via ${ctx.path}` },
      onEvent: cliEvents(io, { label: method, total: cfg.steps, quiet: values.quiet === true }),
    });
    io.out(`${r.description}; ${r.steps} steps, batch ${cfg.batch}, lr ${fmtLr(cfg.trainer.lr)}, eps ${cfg.trainer.eps}, seed ${cfg.trainer.seed}`);
    io.out(beforeAfterTable(r.before!, r.after!));
    io.out(`dev loss ${r.before!.dev_loss.toFixed(4)} -> ${r.after!.dev_loss.toFixed(4)} (${r.curve.map((c) => `${c.step}:${c.dev_loss.toFixed(3)}`).join(" ")})`);
    if (r.best?.report !== undefined && r.best.step !== r.steps) io.out(`best dev loss ${r.best.dev_loss.toFixed(4)} at step ${r.best.step}: accuracy ${(100 * r.best.report.average).toFixed(1)}% (final ${(100 * r.after!.average).toFixed(1)}%)`);
    io.out(`time: ${fmtDuration(r.wallMs / 1000)} in all, ${fmtDuration(r.trainMs / 1000)} training (${(r.trainMs / Math.max(1, r.steps)).toFixed(0)} ms/step) on ${ctx.info.description} via ${ctx.path}`);
    io.out(`peak GPU bytes: forward ${r.memory.forward}, training step ${r.memory.step} (${Number.isFinite(r.memory.ratio) ? `ratio ${r.memory.ratio.toFixed(4)}` : "no step ran in this session"})${r.skipped > 0 ? `; ${r.skipped} steps skipped (non-finite loss)` : ""}`);
    io.out(`run folder: ${out} (eval.json, loss.svg, metrics.jsonl, trajectory.jsonl${r.method.startsWith("lora") ? ", adapter/" : ", model/"})`);
    return 0;
  } finally {
    ctx.destroy();
  }
}

export const trainCommand: Command = {
  name: "train",
  summary: "zeroth-order fine-tuning: MaZO multi-task on --tasks (the default), or MeZO/LoRA-MeZO on --data text",
  usage: "[--tasks sst2,trec,./my-task.json] [--skip-bad] [--method mazo|mezo|sparse-mezo|random-mask|single-task|lora-mezo|lora-mazo] [--out <dir>] [--resume <dir>] ... | --data <file.jsonl> --out <dir> [--method mezo|lora-mezo] ...",
  options: TRAIN_OPTIONS,
  run: (v, _p, io, given) => (v.data === undefined ? runTasks(v, io, given) : runText(v, io)),
};
