/**
 * checkpoint.json in a run folder, written atomically (temp file + rename) every N steps: the trainer's
 * state, how many lines of metrics.jsonl and trajectory.jsonl belong to it, the dev-loss curve and the
 * "before" evaluation so far. Weights are not stored: a resumed run replays trajectory.jsonl up to the
 * checkpoint (no forward pass; bit-identical on the same backend), so a checkpoint is a few kilobytes.
 */
import { fieldChecks } from "../io/json_fields.ts";
import { parseJsonText } from "../io/json.ts";
import type { ZoTrainerState } from "../zo/trainer.ts";
import type { EvalReport } from "./evaluate.ts";
import { type RunSink, writeText } from "./sink.ts";

/** The checkpoint's file name in a run. */
export const CHECKPOINT_FILE = "checkpoint.json";

/** One point of the dev-loss curve: the mean dev loss after `step` steps (step 0: before training). */
export interface CurvePoint {
  readonly step: number;
  readonly dev_loss: number;
}

export interface Checkpoint {
  readonly version: 1;
  /** Steps completed (the next step to run). */
  readonly step: number;
  readonly trainer: ZoTrainerState;
  readonly metricsLines: number;
  readonly trajectoryLines: number;
  readonly curve: readonly CurvePoint[];
  /** The evaluation before training (absent when it was skipped, e.g. text data). */
  readonly before?: EvalReport;
  /** Training wall time so far (ms), excluding evaluation. */
  readonly trainMs: number;
}

/** Writes checkpoint.json (atomically). */
export async function writeCheckpoint(sink: RunSink, c: Checkpoint): Promise<void> {
  await writeText(sink, CHECKPOINT_FILE, JSON.stringify(c) + "\n");
}

/** Reads checkpoint.json, checking its version and step. */
export async function readCheckpoint(sink: RunSink): Promise<Checkpoint> {
  const text = await sink.readText(CHECKPOINT_FILE);
  const path = sink.path(CHECKPOINT_FILE);
  if (text === undefined) throw new Error(`${path} does not exist: the run wrote no checkpoint yet (use --checkpoint-every N), so it cannot be resumed`);
  return checkCheckpoint(parseJsonText(text, path), path);
}

/** `v` as a Checkpoint, every field checked (MazoFormatError naming `path` and the field otherwise). */
function checkCheckpoint(v: unknown, path: string): Checkpoint {
  const { fail, isObj, count, nums } = fieldChecks(path);
  if (!isObj(v)) return fail("(top)", v, "a JSON object");
  if (v.version !== 1) fail("version", v.version, "1 (not a mazo checkpoint, or a newer one)");
  const step = count(v.step, "step");
  count(v.metricsLines, "metricsLines");
  if (count(v.trajectoryLines, "trajectoryLines") < 1) fail("trajectoryLines", v.trajectoryLines, "at least 1 (the header)");
  if (typeof v.trainMs !== "number" || !(v.trainMs >= 0)) fail("trainMs", v.trainMs, "a non-negative number");
  if (!Array.isArray(v.curve)) fail("curve", v.curve, "a list of {step, dev_loss}");
  (v.curve as unknown[]).forEach((p, i) => {
    if (!isObj(p)) return fail(`curve[${i}]`, p, "{step, dev_loss}");
    count(p.step, `curve[${i}].step`);
    if (typeof p.dev_loss !== "number") fail(`curve[${i}].dev_loss`, p.dev_loss, "a number");
  });
  if (v.before !== undefined && !isObj(v.before)) fail("before", v.before, "an evaluation report object");
  const t = v.trainer;
  if (!isObj(t)) return fail("trainer", t, "the trainer state object");
  if (t.version !== 1) fail("trainer.version", t.version, "1");
  if (count(t.step, "trainer.step") !== step) fail("trainer.step", t.step, `the checkpoint's step ${step}`);
  count(t.skippedTotal, "trainer.skippedTotal");
  count(t.consecutiveNonFinite, "trainer.consecutiveNonFinite");
  if (!Array.isArray(t.window)) fail("trainer.window", t.window, "a list of {step, seeds, gq}");
  (t.window as unknown[]).forEach((w, i) => {
    if (!isObj(w)) return fail(`trainer.window[${i}]`, w, "{step, seeds, gq}");
    count(w.step, `trainer.window[${i}].step`);
    const seeds = nums(w.seeds, `trainer.window[${i}].seeds`), gq = nums(w.gq, `trainer.window[${i}].gq`);
    if (seeds.length !== gq.length) fail(`trainer.window[${i}].gq`, gq, `${seeds.length} values, one per seed`);
  });
  return v as unknown as Checkpoint;
}
