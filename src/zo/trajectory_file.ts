/**
 * File I/O of trajectory.jsonl (node:fs, Deno and Node; the browser keeps the lines in memory or hands
 * them to its own storage). Lines are appended one write each; the reader tolerates a torn last line.
 */
import { appendFileSync, readFileSync, writeFileSync } from "node:fs";
import type { StepRecord } from "./trainer.ts";
import { headerLine, parseTrajectory, stepLine, type Trajectory, type TrajectoryHeader } from "./trajectory.ts";

/** Appends steps to a trajectory file. */
export class TrajectoryWriter {
  readonly path: string;

  /** Starts a new file with `header` (truncating), or, with `resume`, keeps the file and appends. */
  constructor(path: string, header: Omit<TrajectoryHeader, "type" | "version">, resume = false) {
    this.path = path;
    if (!resume) writeFileSync(path, headerLine(header));
  }

  append(r: StepRecord): void {
    appendFileSync(this.path, stepLine(r));
  }
}

/** Reads and parses a trajectory file. */
export function readTrajectory(path: string): Trajectory {
  return parseTrajectory(readFileSync(path, "utf8"), path);
}
