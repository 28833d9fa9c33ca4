/**
 * checkpoint.json in a run folder, written atomically (temp file + rename) every N steps: the trainer's
 * state, how many lines of metrics.jsonl and trajectory.jsonl belong to it, the dev-loss curve and the
 * "before" evaluation so far. Weights are not stored: a resumed run replays trajectory.jsonl up to the
 * checkpoint (no forward pass; bit-identical on the same backend), so a checkpoint is a few kilobytes.
 */
import { existsSync, readFileSync, writeFileSync } from "node:fs";
import { writeFileAtomic } from "../io/files.ts";
import type { ZoTrainerState } from "../zo/trainer.ts";
import type { EvalReport } from "./evaluate.ts";

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
  readonly before: EvalReport;
  /** Training wall time so far (ms), excluding evaluation. */
  readonly trainMs: number;
}

export function writeCheckpoint(path: string, c: Checkpoint): void {
  writeFileAtomic(path, [new TextEncoder().encode(JSON.stringify(c) + "\n")]);
}

export function readCheckpoint(path: string): Checkpoint {
  if (!existsSync(path)) throw new Error(`${path} does not exist: the run wrote no checkpoint yet (use --checkpoint-every N), so it cannot be resumed`);
  const c = JSON.parse(readFileSync(path, "utf8")) as Checkpoint;
  if (c.version !== 1 || !Number.isInteger(c.step) || c.step < 0) throw new RangeError(`${path}: not a mazo checkpoint (version ${c.version}, step ${c.step})`);
  return c;
}

/** Keeps the first `lines` complete lines of a text file (drops later and torn ones). */
export function truncateLines(path: string, lines: number): void {
  const text = existsSync(path) ? readFileSync(path, "utf8") : "";
  const all = text.split("\n");
  const complete = text.endsWith("\n") ? all.slice(0, -1) : all.slice(0, -1);
  if (complete.length < lines) throw new RangeError(`${path} has ${complete.length} complete lines; the checkpoint needs ${lines}`);
  writeFileSync(path, complete.slice(0, lines).map((l) => l + "\n").join(""));
}
