/**
 * fineTune: one zeroth-order fine-tuning run, for every method (mazo, mezo, sparse-mezo, random-mask,
 * single-task, lora-mezo, lora-mazo) on task data or plain text, wherever it runs (CLI, experiment,
 * browser worker, page, extension). Top to bottom:
 *   1. resolve the options (defaults, checks) and write config.json;
 *   2. prepare the run (src/train/prepare.ts): load and encode the data, upload the model, build the
 *      method's scope (calibration and masks.json for the masked methods);
 *   3. evaluate before training (task data), or on resume replay trajectory.jsonl up to checkpoint.json;
 *   4. train: each step's batch, ZoTrainer.stepWith, trajectory.jsonl and metrics.jsonl lines, the
 *      dev loss every evalEvery steps, checkpoint.json every checkpointEvery steps, a "step" event;
 *   5. evaluate after training, write eval.json, loss.svg and the weights (model/ or adapter/);
 *   6. best step: rebuild the weights of the lowest dev loss from the trajectory (after freeing the
 *      trained ones, so no second copy of the weights is ever held) and evaluate them.
 * Files go to a RunSink (a folder, memory, OPFS), events to onEvent; an AbortSignal stops it between
 * steps. Resuming replays the trajectory (no forward pass), so an interrupted and resumed run ends with
 * the same weights, bit for bit, as an uninterrupted one on the same backend.
 */
import { type StepRecord, ZoAbortError, type ZoTrainer } from "../zo/trainer.ts";
import { headerLine, parseTrajectory, stepLine, weightsHash } from "../zo/trajectory.ts";
import { type Checkpoint, type CurvePoint, readCheckpoint, writeCheckpoint } from "./checkpoint.ts";
import { CollapseError, CollapseWatch } from "./collapse.ts";
import { GpuLostError } from "./gpu_lost.ts";
import type { EvalReport } from "./evaluate.ts";
import type { FineTuneEvent } from "./events.ts";
import { type FineTuneOptions, resolveFineTune } from "./options.ts";
import { prepareRun, type RunBatch } from "./prepare.ts";
import { fmtAcc, lossChart } from "./report.ts";
import { runHeader } from "./run_header.ts";
import type { BestStep, FineTuneResult } from "./result.ts";
import { memorySink, truncateLines, writeText } from "./sink.ts";

const METRICS = "metrics.jsonl";
const TRAJECTORY = "trajectory.jsonl";

/** The first point with the lowest finite dev loss (undefined when none is finite). */
export function bestPoint(curve: readonly CurvePoint[]): CurvePoint | undefined {
  let best: CurvePoint | undefined;
  for (const c of curve) if (Number.isFinite(c.dev_loss) && (best === undefined || c.dev_loss < best.dev_loss)) best = c;
  return best;
}

function countTasks(batch: RunBatch): Record<string, number> | undefined {
  if (batch.kind !== "tasks") return undefined;
  const c: Record<string, number> = {};
  for (const e of batch.examples) c[e.example.task] = (c[e.example.task] ?? 0) + 1;
  return c;
}

/** Runs (or resumes) one fine-tuning run; see the module doc. Rejects with the signal's reason when aborted. */
export async function fineTune(o: FineTuneOptions): Promise<FineTuneResult> {
  const wall0 = performance.now();
  const r = resolveFineTune(o);
  const { cfg } = r;
  const { ctx } = o;
  const sink = o.sink ?? memorySink();
  const emit = (e: FineTuneEvent) => o.onEvent?.(e);
  const note = (message: string, phase: "load" | "calibrate" | "evaluate" | "resume" | "best" | "write" = "load") => emit({ type: "progress", phase, message });
  const resume = o.resume === true;
  const s = r.settings;
  const checkpointEvery = s?.checkpointEvery ?? o.checkpointEvery ?? 0;
  const written: string[] = [];
  if (!resume && o.config !== undefined) {
    await writeText(sink, "config.json", JSON.stringify(o.config, null, 2) + "\n");
    written.push("config.json");
  }
  o.signal?.throwIfAborted();

  const run = await prepareRun(o, r, sink, resume, note);
  const evalEvery = s !== undefined && run.tasks.some((t) => t.dev.length > 0) ? s.evalEvery : 0;
  const skippedRecords: Record<string, number> = {};
  for (const t of run.tasks) {
    if (t.skipped.length === 0) continue;
    skippedRecords[t.name] = t.skipped.length;
    emit({ type: "warning", message: `task ${t.name}: left out ${t.skipped.length} record${t.skipped.length === 1 ? "" : "s"} that cannot be used (skipBad); first: ${t.skipped[0]}` });
  }
  let destroyed = false;
  const destroyRun = () => {
    if (destroyed) return;
    destroyed = true;
    run.destroy();
  };
  let result: FineTuneResult;
  let lastCheckpoint: number | undefined; // step of the newest checkpoint.json this session wrote
  try {
    const { target } = run;
    note(target.description, "calibrate");
    const header = runHeader(o, r, run, weightsHash(o.model.weights));

    let start = 0;
    let before: EvalReport | undefined;
    let curve: CurvePoint[] = [];
    let trainer: ZoTrainer;
    let metricsLines = 0;
    let trajLines = 1;
    let trainMs = 0;
    const trainLoss: [number, number][] = [];
    if (resume) {
      const ck = await readCheckpoint(sink);
      const trajText = await sink.readText(TRAJECTORY);
      if (trajText === undefined) throw new Error(`${sink.path(TRAJECTORY)} does not exist; the run folder is damaged`);
      const done = parseTrajectory(trajText, sink.path(TRAJECTORY)).steps.filter((x) => x.step < ck.step);
      if (done.length !== ck.step) throw new RangeError(`${sink.path(TRAJECTORY)} holds ${done.length} steps before the checkpoint's step ${ck.step}; the run folder is damaged`);
      const t0 = performance.now();
      await run.applySteps(done);
      note(`resumed at step ${ck.step}: replayed ${done.length} steps from trajectory.jsonl in ${((performance.now() - t0) / 1000).toFixed(1)}s (no forward pass)`, "resume");
      await truncateLines(sink, METRICS, ck.metricsLines);
      await truncateLines(sink, TRAJECTORY, ck.trajectoryLines);
      metricsLines = ck.metricsLines;
      trajLines = ck.trajectoryLines;
      before = ck.before;
      curve = [...ck.curve];
      trainMs = ck.trainMs;
      start = ck.step;
      trainer = run.trainer(ck.trainer);
      for (let i = 0; i < start; i++) run.nextBatch();
      for (const x of done) trainLoss.push([x.step + 1, x.loss]);
    } else {
      if (s !== undefined && o.skipBefore !== true) {
        const t0 = performance.now();
        before = await run.evaluate();
        const seconds = (performance.now() - t0) / 1000;
        note(`before: dev loss ${before.dev_loss.toFixed(4)}, accuracy ${fmtAcc(before.average)} (${seconds.toFixed(1)}s)`, "evaluate");
        emit({ type: "evaluation", phase: "before", step: 0, report: before, seconds });
        if (evalEvery > 0) curve = [{ step: 0, dev_loss: before.dev_loss }];
      } else if (evalEvery > 0) {
        curve = [{ step: 0, dev_loss: await run.devLoss() }];
      }
      trainer = run.trainer();
      await writeText(sink, TRAJECTORY, headerLine(header));
      await writeText(sink, METRICS, "");
    }
    const checkpoints: Checkpoint[] = []; // written this session, newest last (collapse rewinds to one)
    const checkpoint = async (step: number) => {
      const c: Checkpoint = { version: 1, step, trainer: trainer.state(), metricsLines, trajectoryLines: trajLines, curve: [...curve], ...(before !== undefined ? { before } : {}), trainMs };
      await writeCheckpoint(sink, c);
      lastCheckpoint = step;
      checkpoints.push(c);
      if (checkpoints.length > 64) checkpoints.shift();
      emit({ type: "checkpoint", step });
    };
    const collapse = new CollapseWatch(o.collapseSteps ?? 8);
    /** Stops a collapsed run: rewinds checkpoint.json to the last checkpoint before the streak and names it. */
    const collapsed = async (from: number, at: number, rec: StepRecord): Promise<never> => {
      const good = [...checkpoints].reverse().find((c) => c.step < from);
      if (good !== undefined) await writeCheckpoint(sink, good);
      const where = good !== undefined
        ? `${sink.path("checkpoint.json")} now holds step ${good.step}, the last checkpoint before the collapse`
        : "no checkpoint precedes it (checkpointEvery)";
      const msg = `training collapsed: every projected gradient was exactly 0 for ${at - from + 1} consecutive steps (${from}-${at}), so the loss (${rec.loss.toPrecision(6)}) no longer depends on the weights; usually lr ${rec.lr} or eps ${rec.eps} is too large. Stopped at step ${at}; ${where}`;
      emit({ type: "warning", message: msg });
      throw new CollapseError(from, at, good?.step ?? 0, msg);
    };
    if (!resume && checkpointEvery > 0) await checkpoint(0);

    // Peak memory of a plain forward pass over the first batch, then of the training step on the same batch.
    let forwardPeak = 0, forwardMs = NaN, stepPeak = 0, runPeak = 0;
    let sessionMs = 0;
    const appendMetrics = async (m: Record<string, unknown>) => {
      await sink.append(METRICS, JSON.stringify(m) + "\n");
      metricsLines++;
    };
    for (let step = start; step < cfg.steps; step++) {
      o.signal?.throwIfAborted();
      const batch = run.nextBatch();
      if (step === start) {
        // Measure from a clean activation cache (evaluation leaves other batch shapes cached), so the
        // forward pass and the training step see the same buffers; the second pass is timed.
        run.model.releaseActivations();
        ctx.memory.resetPeak();
        await run.lossOn(batch);
        forwardPeak = ctx.memory.report().peakTotal;
        const tf = performance.now();
        await run.lossOn(batch);
        forwardMs = performance.now() - tf;
      }
      ctx.memory.resetPeak();
      const t0 = performance.now();
      let rec: StepRecord;
      try {
        rec = await trainer.stepWith(() => run.lossOn(batch));
      } catch (e) {
        if (e instanceof ZoAbortError) await sink.append(TRAJECTORY, stepLine(e.record));
        throw e;
      }
      const ms = performance.now() - t0;
      trainMs += ms;
      sessionMs += ms;
      const peak = ctx.memory.report().peakTotal;
      if (step === start) stepPeak = peak;
      runPeak = Math.max(runPeak, peak);
      await sink.append(TRAJECTORY, stepLine(rec));
      trajLines++;
      trainLoss.push([step + 1, rec.loss]);
      const tasks = countTasks(batch);
      await appendMetrics({ step: rec.step, loss: rec.loss, g: rec.g, lr: rec.lr, ms: rec.ms, skipped: rec.skipped, ...(rec.reason !== undefined ? { reason: rec.reason } : {}), ...(tasks !== undefined ? { tasks } : {}) });
      if (rec.skipped) emit({ type: "warning", message: `step ${step + 1}: skipped (${rec.reason ?? "non-finite loss"}); weights restored` });
      const done = step + 1;
      const flatFrom = collapse.observe(rec, done);
      if (flatFrom !== null) await collapsed(flatFrom, done, rec);
      let devLoss: number | undefined;
      if (evalEvery > 0 && (done % evalEvery === 0 || done === cfg.steps)) {
        devLoss = await run.devLoss();
        curve.push({ step: done, dev_loss: devLoss });
        await appendMetrics({ step: rec.step, dev_loss: devLoss });
      }
      if (checkpointEvery > 0 && (done % checkpointEvery === 0 || done === cfg.steps)) await checkpoint(done);
      emit({ type: "step", step: done, total: cfg.steps, record: rec, ...(devLoss !== undefined ? { devLoss } : {}), stepsPerSec: (done - start) / (sessionMs / 1000) });
    }

    let after: EvalReport | undefined;
    if (s !== undefined) {
      const t1 = performance.now();
      after = await run.evaluate();
      const seconds = (performance.now() - t1) / 1000;
      note(`after: dev loss ${after.dev_loss.toFixed(4)}, accuracy ${fmtAcc(after.average)} (${seconds.toFixed(1)}s)`, "evaluate");
      emit({ type: "evaluation", phase: "after", step: cfg.steps, report: after, seconds });
    }
    const memory = { forward: forwardPeak, step: stepPeak, ratio: forwardPeak > 0 ? stepPeak / forwardPeak : NaN, runPeak };
    const bp = bestPoint(curve);
    const title = r.text !== undefined ? `${cfg.method} on ${r.text.label ?? "texts"}` : `${cfg.method} on ${s!.tasks.join("+")}`;
    await writeText(sink, "loss.svg", lossChart(title, trainLoss, r.text !== undefined ? undefined : curve));
    const weightFiles = o.noWeights === true ? [] : await target.finish(sink);
    const description = target.description;
    const trainable = target.trainable, total = target.total;
    const probes = cfg.trainer.probes ?? 1;
    const stepsRun = cfg.steps - start;
    result = {
      method: cfg.method,
      description,
      steps: cfg.steps,
      ...(before !== undefined ? { before } : {}),
      ...(after !== undefined ? { after } : {}),
      curve,
      trainLoss,
      trainMs,
      wallMs: 0,
      trainable,
      total,
      skipped: trainer.skippedTotal,
      memory,
      stepOverForward: stepsRun > 0 ? sessionMs / stepsRun / (2 * probes * forwardMs) : NaN,
      written: [],
    };
    destroyRun();

    // The best dev-loss step: its weights are rebuilt from the trajectory (the trained ones are freed first).
    let best: BestStep | undefined;
    if (bp !== undefined) {
      let report: EvalReport | undefined;
      if (bp.step === cfg.steps) report = after;
      else if (bp.step === 0 && before !== undefined) report = before;
      else if (r.best && s !== undefined) {
        note(`best dev loss ${bp.dev_loss.toFixed(4)} at step ${bp.step}: rebuilding its weights from trajectory.jsonl`, "best");
        const trajText = (await sink.readText(TRAJECTORY)) ?? "";
        const steps = parseTrajectory(trajText, sink.path(TRAJECTORY)).steps.filter((x) => x.step < bp.step);
        const again = await prepareRun({ ...o, onEvent: () => {} }, r, sink, true, () => {});
        try {
          await again.applySteps(steps);
          const t2 = performance.now();
          report = await again.evaluate();
          emit({ type: "evaluation", phase: "best", step: bp.step, report, seconds: (performance.now() - t2) / 1000 });
        } finally {
          again.destroy();
        }
      }
      best = { step: bp.step, dev_loss: bp.dev_loss, ...(report !== undefined ? { report } : {}) };
    }
    if (s !== undefined) {
      const evalJson = {
        method: cfg.method,
        tasks: s.tasks,
        steps: cfg.steps,
        trainable,
        total,
        masked_fraction: trainable / total,
        train_seconds: trainMs / 1000,
        peak_gpu_bytes: memory,
        before,
        after,
        curve,
        ...(best !== undefined ? { best } : {}),
        ...(Object.keys(skippedRecords).length > 0 ? { skipped_records: skippedRecords } : {}),
      };
      await writeText(sink, "eval.json", JSON.stringify(evalJson, null, 2) + "\n");
    }
    written.push(METRICS, TRAJECTORY, ...(s !== undefined ? ["eval.json"] : []), "loss.svg", ...weightFiles);
    result = { ...result, ...(best !== undefined ? { best } : {}), wallMs: performance.now() - wall0, written: written.map((f) => sink.path(f)) };
  } catch (e) {
    // A lost device makes every later GPU call fail with some other message: name the cause and where to
    // resume. device.lost may settle just after the failed call, so give it a moment.
    if (!ctx.faults.some((f) => f.kind === "lost")) await Promise.race([ctx.device.lost, new Promise((res) => setTimeout(res, 250))]);
    const lost = ctx.faults.find((f) => f.kind === "lost");
    if (lost !== undefined && !(e instanceof GpuLostError)) {
      const ck = lastCheckpoint;
      throw new GpuLostError(
        `${lost.message}; training stopped. ${ck !== undefined ? `The last checkpoint is step ${ck} in ${sink.path("checkpoint.json")}: resume from it (mazo train --resume ${sink.label})` : "No checkpoint was written (checkpointEvery)"}`,
        ck,
        { cause: e },
      );
    }
    throw e;
  } finally {
    destroyRun();
  }
  emit({ type: "done", result });
  return result;
}
