/**
 * `mazo train` on tasks (the default when --data is absent): multi-task MaZO (or a baseline) on real task
 * data with MeZO's protocol, printing a before/after accuracy table. `--resume <dir>` continues a run
 * from its checkpoint with the options saved in its config.json.
 */
import { existsSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { LlamaModel } from "../model/forward.ts";
import { ParamStore } from "../model/param_store.ts";
import { fmtDuration } from "../report/progress.ts";
import { resolveTaskSettings } from "../train/task_config.ts";
import type { LrSchedule } from "../zo/schedule.ts";
import { beforeAfterTable, runTaskTraining } from "../train/task_run.ts";
import { resolveTrainConfig } from "./cmd_train.ts";
import { type CliIO, type OptionValues, UsageError } from "./command.ts";
import { contextFromOptions } from "./gpu_options.ts";
import { modelFromOptions } from "./model_options.ts";

/** Default learning rates per method family when --lr is absent (docs/mazo.md: stable ranges measured). */
export function defaultLr(method: string): number {
  return method === "mezo" ? 3e-5 : 1e-3;
}

/** Option values saved in a run's config.json, for --resume. */
function savedOptions(dir: string): OptionValues {
  const path = join(dir, "config.json");
  if (!existsSync(path)) throw new UsageError(`--resume ${dir}: no config.json there; is it a mazo run folder?`);
  const c = JSON.parse(readFileSync(path, "utf8")) as { options?: OptionValues };
  if (c.options === undefined) throw new UsageError(`--resume ${dir}: config.json has no "options" record (not written by mazo train --tasks)`);
  return c.options;
}

function fmtLr(lr: number | LrSchedule): string {
  if (typeof lr === "number") return String(lr);
  return `${lr.lr} (${lr.kind}${lr.warmup ? `, warmup ${lr.warmup}` : ""})`;
}

export async function runTasksCommand(v: OptionValues, io: CliIO): Promise<number> {
  const resume = typeof v.resume === "string";
  const values: OptionValues = resume ? { ...savedOptions(v.resume as string), backend: v.backend, quiet: v.quiet } : v;
  const method = String(values.method ?? "mazo");
  const settings = resolveTaskSettings(values, method);
  const lora = method === "lora-mezo" || method === "lora-mazo";
  const cfg = resolveTrainConfig({ ...values, method: lora ? "lora-mezo" : "mezo" }, { steps: 200, lr: defaultLr(method), batch: 12 });
  const stamp = new Date().toISOString().replace(/[:.]/g, "-").slice(0, 19);
  const out = resume ? (v.resume as string) : typeof values.out === "string" ? values.out : join("runs", `${stamp}-${method}`);
  const { loaded, tokenizer } = await modelFromOptions(values, true);
  const ctx = await contextFromOptions(values, io);
  try {
    const model = new LlamaModel(ctx, ParamStore.upload(ctx, loaded.weights));
    const options = Object.fromEntries(Object.entries(values).filter(([k, x]) => x !== undefined && !["config", "help", "resume", "quiet"].includes(k)));
    const r = await runTaskTraining({
      ctx,
      io,
      quiet: values.quiet === true,
      out,
      resume,
      model,
      weights: loaded.weights,
      modelPath: loaded.path,
      tokenizer: tokenizer!,
      cfg,
      settings,
      merge: values.merge === true,
      resolvedConfig: { options: { ...options, method, out }, method, settings, trainer: cfg.trainer, batch: cfg.batch, steps: cfg.steps, maxLen: cfg.maxLen, model: loaded.path, tokenizer: loaded.tokenizerPath, adapter: `${ctx.info.description} via ${ctx.path}` },
    });
    io.out(`${r.description}; ${r.steps} steps, batch ${cfg.batch}, lr ${fmtLr(cfg.trainer.lr)}, eps ${cfg.trainer.eps}, seed ${cfg.trainer.seed}`);
    io.out(beforeAfterTable(r.before, r.after));
    io.out(`dev loss ${r.before.dev_loss.toFixed(4)} -> ${r.after.dev_loss.toFixed(4)} (${r.curve.map((c) => `${c.step}:${c.dev_loss.toFixed(3)}`).join(" ")})`);
    io.out(`time: ${fmtDuration(r.wallMs / 1000)} in all, ${fmtDuration(r.trainMs / 1000)} training (${(r.trainMs / Math.max(1, r.steps)).toFixed(0)} ms/step) on ${ctx.info.description} via ${ctx.path}`);
    io.out(`peak GPU bytes: forward ${r.memory.forward}, training step ${r.memory.step} (ratio ${r.memory.ratio.toFixed(4)})${r.skipped > 0 ? `; ${r.skipped} steps skipped (non-finite loss)` : ""}`);
    io.out(`run folder: ${out} (eval.json, loss.svg, metrics.jsonl, trajectory.jsonl${r.method.startsWith("lora") ? ", adapter/" : ", model/"})`);
    model.releaseActivations();
    model.store.destroy(ctx);
    return 0;
  } finally {
    ctx.destroy();
  }
}
