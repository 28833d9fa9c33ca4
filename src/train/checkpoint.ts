/**
 * checkpoint.json in a run folder, written atomically (temp file + rename) every N steps: the trainer's
 * state, how many lines of metrics.jsonl and trajectory.jsonl belong to it, the dev-loss curve and the
 * "before" evaluation so far. Weights are not stored: a resumed run replays trajectory.jsonl up to the
 * checkpoint (no forward pass; bit-identical on the same backend), so a checkpoint is a few kilobytes.
 */
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
  const c = JSON.parse(text) as Checkpoint;
  if (c.version !== 1 || !Number.isInteger(c.step) || c.step < 0) throw new RangeError(`${path}: not a mazo checkpoint (version ${c.version}, step ${c.step})`);
  return c;
}
