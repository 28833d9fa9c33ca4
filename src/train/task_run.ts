/**
 * One multi-task ZO fine-tuning run with MeZO's protocol: load and encode the tasks, build the method's
 * scope, evaluate before, train on mixed batches (ZoTrainer) with a dev-loss curve, checkpoints and a
 * trajectory, evaluate after, and write the run folder:
 *   config.json, masks.json (masked methods), metrics.jsonl, trajectory.jsonl, checkpoint.json,
 *   eval.json, loss.svg, model/ (or adapter/).
 * Resuming replays trajectory.jsonl up to the checkpoint (no forward pass), so an interrupted and
 * resumed run ends with the same weights, bit for bit, as an uninterrupted one on the same backend.
 */
import { appendFileSync, mkdirSync, writeFileSync } from "node:fs";
import process from "node:process";
import { join } from "node:path";
import type { CliIO } from "../cli/command.ts";
import type { TrainConfig } from "../cli/cmd_train.ts";
import type { GpuContext } from "../gpu/context.ts";
import { writeFileAtomic } from "../io/files.ts";
import { batchLoss, modelScoreFn } from "../mazo/loss.ts";
import type { LlamaModel } from "../model/forward.ts";
import type { HostWeights } from "../model/weights.ts";
import { paramCount } from "../model/weights.ts";
import { Progress } from "../report/progress.ts";
import { lineChartSvg } from "../report/svg_chart.ts";
import type { EncodedExample } from "../tasks/encode.ts";
import { TaskMixer } from "../tasks/mixer.ts";
import type { Tokenizer } from "../tokenizer/types.ts";
import { replay } from "../zo/replay.ts";
import { ZoAbortError, ZoTrainer } from "../zo/trainer.ts";
import { weightsHash } from "../zo/trajectory.ts";
import { readTrajectory, TrajectoryWriter } from "../zo/trajectory_file.ts";
import { type CurvePoint, readCheckpoint, truncateLines, writeCheckpoint } from "./checkpoint.ts";
import { type EvalReport, evaluateDevLoss, evaluateTasks } from "./evaluate.ts";
import { prepareTasks } from "./prepared_tasks.ts";
import type { TaskSettings } from "./task_config.ts";
import { buildTaskTarget } from "./task_target.ts";

export interface TaskRunInputs {
  readonly ctx: GpuContext;
  readonly io: CliIO;
  readonly quiet: boolean;
  readonly out: string;
  /** Continue the run in `out` from its checkpoint. */
  readonly resume: boolean;
  readonly model: LlamaModel;
  readonly weights: HostWeights;
  readonly modelPath: string;
  readonly tokenizer: Tokenizer;
  readonly cfg: TrainConfig;
  readonly settings: TaskSettings;
  readonly merge: boolean;
  /** Written to config.json (a new run only). */
  readonly resolvedConfig: Readonly<Record<string, unknown>>;
  /** Prefix of progress lines (e.g. "mazo seed 1"). */
  readonly label?: string;
}

export interface TaskRunResult {
  readonly method: string;
  readonly description: string;
  readonly before: EvalReport;
  readonly after: EvalReport;
  readonly curve: readonly CurvePoint[];
  readonly trainLoss: readonly (readonly [number, number])[];
  readonly steps: number;
  readonly trainMs: number;
  readonly wallMs: number;
  readonly trainable: number;
  readonly total: number;
  readonly skipped: number;
  /** Peak GPU bytes: one forward pass of the first batch, one training step on it, the whole run. */
  readonly memory: { readonly forward: number; readonly step: number; readonly ratio: number; readonly runPeak: number };
  readonly written: readonly string[];
}

/** Runs (or resumes) one multi-task training run; see the module doc. */
export async function runTaskTraining(x: TaskRunInputs): Promise<TaskRunResult> {
  const { ctx, io, out, cfg, settings: s, model } = x;
  const wall0 = performance.now();
  mkdirSync(out, { recursive: true });
  const maxLength = Math.min(cfg.maxLen, model.config.maxSeqLen);
  if (!x.resume) writeFileAtomic(join(out, "config.json"), [new TextEncoder().encode(JSON.stringify(x.resolvedConfig, null, 2) + "\n")]);
  const progress = new Progress({ total: cfg.steps, label: x.label ?? s.method, tty: io.isTTY, quiet: x.quiet, write: (t) => (io.errWrite === undefined ? io.err(t.replace(/\n$/, "")) : io.errWrite(t)) });
  const note = (t: string) => progress.note(t);

  const tasks = await prepareTasks(s.tasks, x.tokenizer, { seed: cfg.trainer.seed, sizes: s.sizes, maxLength, ...(s.dataDir !== undefined ? { dataDir: s.dataDir } : {}) });
  note(`tasks: ${tasks.map((t) => `${t.name} ${t.train.length}/${t.dev.length}/${t.test.length}`).join(", ")} (train/dev/test)`);
  const target = await buildTaskTarget({ ctx, model, weights: x.weights, tokenizer: x.tokenizer, tasks, cfg, settings: s, maxLength, baseModel: x.modelPath, out, reuseMasks: x.resume, merge: x.merge });
  note(target.description);
  const score = modelScoreFn(model);
  const mixer = new TaskMixer<EncodedExample>(tasks.map((t) => ({ task: t.name, train: t.train })), { batchSize: cfg.batch, seed: cfg.trainer.seed, mode: s.mix });
  const metricsPath = join(out, "metrics.jsonl");
  const trajPath = join(out, "trajectory.jsonl");
  const ckptPath = join(out, "checkpoint.json");

  let start = 0;
  let before: EvalReport;
  let curve: CurvePoint[];
  let trainer: ZoTrainer;
  let traj: TrajectoryWriter;
  let metricsLines = 0;
  let trajLines = 1;
  let trainMs = 0;
  const trainLoss: [number, number][] = [];
  const header = {
    ...target.header,
    model: { hash: weightsHash(x.weights), params: paramCount(x.weights), config: x.weights.config, path: x.modelPath },
    trainer: { ...cfg.trainer },
    extra: { tasks: s.tasks, settings: s, batch: cfg.batch, maxLen: maxLength, ...(target.header.method !== "mezo" && target.header.method !== "lora-mezo" ? { masks: "masks.json" } : {}) },
  };
  if (x.resume) {
    const ck = readCheckpoint(ckptPath);
    const t = readTrajectory(trajPath);
    const done = t.steps.filter((r) => r.step < ck.step);
    if (done.length !== ck.step) throw new RangeError(`${trajPath} holds ${done.length} steps before the checkpoint's step ${ck.step}; the run folder is damaged`);
    const t0 = performance.now();
    await replay(ctx, target.scope, done);
    note(`resumed at step ${ck.step}: replayed ${done.length} steps from trajectory.jsonl in ${((performance.now() - t0) / 1000).toFixed(1)}s (no forward pass)`);
    truncateLines(metricsPath, ck.metricsLines);
    truncateLines(trajPath, ck.trajectoryLines);
    metricsLines = ck.metricsLines;
    trajLines = ck.trajectoryLines;
    before = ck.before;
    curve = [...ck.curve];
    trainMs = ck.trainMs;
    start = ck.step;
    trainer = new ZoTrainer(ctx, target.scope, cfg.trainer, ck.trainer);
    traj = new TrajectoryWriter(trajPath, header, true);
    for (let i = 0; i < start; i++) mixer.next();
    for (const r of done) trainLoss.push([r.step + 1, r.loss]);
  } else {
    const t0 = performance.now();
    before = await evaluateTasks(tasks, score);
    note(`before: dev loss ${before.dev_loss.toFixed(4)}, accuracy ${fmtAcc(before.average)} (${((performance.now() - t0) / 1000).toFixed(1)}s)`);
    curve = [{ step: 0, dev_loss: before.dev_loss }];
    trainer = new ZoTrainer(ctx, target.scope, cfg.trainer);
    traj = new TrajectoryWriter(trajPath, header);
    writeFileSync(metricsPath, "");
  }
  const checkpoint = (step: number) =>
    writeCheckpoint(ckptPath, { version: 1, step, trainer: trainer.state(), metricsLines, trajectoryLines: trajLines, curve, before, trainMs });
  if (!x.resume && s.checkpointEvery > 0) checkpoint(0);

  // Peak memory of a plain forward pass over the first batch, then of the training step on the same batch.
  let forwardPeak = 0;
  let stepPeak = 0;
  let runPeak = 0;
  const appendMetrics = (o: Record<string, unknown>) => {
    appendFileSync(metricsPath, JSON.stringify(o) + "\n");
    metricsLines++;
  };
  const killAfter = Number(process.env.MAZO_KILL_AFTER_STEP ?? NaN);
  for (let step = start; step < cfg.steps; step++) {
    const batch = mixer.next();
    if (step === start) {
      // Measure from a clean activation cache (evaluation leaves other batch shapes cached), so the
      // forward pass and the training step see the same buffers.
      model.releaseActivations();
      ctx.memory.resetPeak();
      await batchLoss(batch, score);
      forwardPeak = ctx.memory.report().peakTotal;
    }
    ctx.memory.resetPeak();
    const t0 = performance.now();
    let r;
    try {
      r = await trainer.stepWith(() => batchLoss(batch, score));
    } catch (e) {
      if (e instanceof ZoAbortError) traj.append(e.record);
      throw e;
    }
    trainMs += performance.now() - t0;
    const peak = ctx.memory.report().peakTotal;
    if (step === start) stepPeak = peak;
    runPeak = Math.max(runPeak, peak);
    traj.append(r);
    trajLines++;
    trainLoss.push([step + 1, r.loss]);
    appendMetrics({ step: r.step, loss: r.loss, g: r.g, lr: r.lr, ms: r.ms, skipped: r.skipped, ...(r.reason !== undefined ? { reason: r.reason } : {}), tasks: countTasks(batch) });
    if (r.skipped) note(`step ${step + 1}: skipped (${r.reason ?? "non-finite loss"}); weights restored`);
    const done = step + 1;
    let devShown: Record<string, number> = {};
    if (done % s.evalEvery === 0 || done === cfg.steps) {
      const dl = await evaluateDevLoss(tasks, score);
      curve.push({ step: done, dev_loss: dl });
      appendMetrics({ step: r.step, dev_loss: dl });
      devShown = { dev: dl };
    }
    progress.update(done, { loss: r.loss, ...devShown });
    if (s.checkpointEvery > 0 && (done % s.checkpointEvery === 0 || done === cfg.steps)) checkpoint(done);
    // Fault injection for the resume tests: MAZO_KILL_AFTER_STEP=N sends this process SIGKILL after step N.
    if (killAfter === done) killSelf();
  }
  const t1 = performance.now();
  const after = await evaluateTasks(tasks, score);
  note(`after: dev loss ${after.dev_loss.toFixed(4)}, accuracy ${fmtAcc(after.average)} (${((performance.now() - t1) / 1000).toFixed(1)}s)`);
  const memory = { forward: forwardPeak, step: stepPeak, ratio: forwardPeak > 0 ? stepPeak / forwardPeak : NaN, runPeak };
  const evalJson = {
    method: s.method,
    tasks: s.tasks,
    steps: cfg.steps,
    trainable: target.trainable,
    total: target.total,
    masked_fraction: target.trainable / target.total,
    train_seconds: trainMs / 1000,
    peak_gpu_bytes: memory,
    before,
    after,
    curve,
  };
  writeFileAtomic(join(out, "eval.json"), [new TextEncoder().encode(JSON.stringify(evalJson, null, 2) + "\n")]);
  const svg = lineChartSvg(
    [{ name: "train loss (batch)", points: trainLoss, dashed: true }, { name: "train loss (EMA 0.1)", points: ema(trainLoss, 0.1) }, { name: "dev loss", points: curve.map((c) => [c.step, c.dev_loss] as const) }],
    { title: `${s.method} on ${s.tasks.join("+")}`, xLabel: "step", yLabel: "loss" },
  );
  writeFileAtomic(join(out, "loss.svg"), [new TextEncoder().encode(svg)]);
  const written = [join(out, "config.json"), metricsPath, trajPath, join(out, "eval.json"), join(out, "loss.svg"), ...(await target.finish(out))];
  target.destroy();
  return {
    method: s.method,
    description: target.description,
    before,
    after,
    curve,
    trainLoss,
    steps: cfg.steps,
    trainMs,
    wallMs: performance.now() - wall0,
    trainable: target.trainable,
    total: target.total,
    skipped: trainer.skippedTotal,
    memory,
    written,
  };
}

/** SIGKILL to this process (Deno's node:process emulation exits with code 1 instead, so use Deno.kill there). */
function killSelf(): void {
  const deno = (globalThis as { Deno?: { kill(pid: number, signal: string): void; pid: number } }).Deno;
  if (deno !== undefined) deno.kill(deno.pid, "SIGKILL");
  else process.kill(process.pid, "SIGKILL");
}

/** Exponential moving average of a series' y values (smoothing factor alpha), skipping non-finite ones. */
function ema(points: readonly (readonly [number, number])[], alpha: number): [number, number][] {
  const out: [number, number][] = [];
  let m = NaN;
  for (const [x, y] of points) {
    if (!Number.isFinite(y)) continue;
    m = Number.isNaN(m) ? y : m + alpha * (y - m);
    out.push([x, m]);
  }
  return out;
}

function countTasks(batch: readonly EncodedExample[]): Record<string, number> {
  const c: Record<string, number> = {};
  for (const e of batch) c[e.example.task] = (c[e.example.task] ?? 0) + 1;
  return c;
}

function fmtAcc(a: number): string {
  return `${(100 * a).toFixed(1)}%`;
}

/** The before/after table of a run, one row per task plus the average. */
export function beforeAfterTable(before: EvalReport, after: EvalReport): string {
  const rows = [["task", "acc before", "acc after", "dev loss before", "dev loss after"]];
  for (const t of Object.keys(before.tasks)) {
    const b = before.tasks[t]!, a = after.tasks[t]!;
    rows.push([t, fmtAcc(b.accuracy), fmtAcc(a.accuracy), b.dev_loss.toFixed(4), a.dev_loss.toFixed(4)]);
  }
  rows.push(["average", fmtAcc(before.average), fmtAcc(after.average), before.dev_loss.toFixed(4), after.dev_loss.toFixed(4)]);
  const w = rows[0]!.map((_, c) => Math.max(...rows.map((r) => r[c]!.length)));
  const line = (r: string[]) => "| " + r.map((v, c) => (c === 0 ? v.padEnd(w[c]!) : v.padStart(w[c]!))).join(" | ") + " |";
  return [line(rows[0]!), "|" + w.map((n, c) => (c === 0 ? "-".repeat(n + 2) : "-".repeat(n + 1) + ":")).join("|") + "|", ...rows.slice(1).map(line)].join("\n");
}
