/**
 * The trajectory header of a run (the first line of trajectory.jsonl): the target's method and scope,
 * the base model's fingerprint, the trainer options and the data settings. fineTune writes it; a swarm
 * run (src/swarm) publishes the same header as the first message of its stream.
 */
import { paramCount } from "../model/weights.ts";
import type { TrajectoryHeader } from "../zo/trajectory.ts";
import type { FineTuneOptions, ResolvedFineTune } from "./options.ts";
import type { PreparedRun } from "./prepare.ts";

/** The header fields of `run` (headerLine adds type and version). */
export function runHeader(o: FineTuneOptions, r: ResolvedFineTune, run: PreparedRun, modelHash: string): Omit<TrajectoryHeader, "type" | "version"> {
  const { cfg } = r;
  const s = r.settings;
  const w = o.model.weights;
  return {
    ...run.target.header,
    model: { hash: modelHash, params: paramCount(w), config: w.config, ...(o.model.name !== undefined ? { path: o.model.name } : {}) },
    trainer: { ...cfg.trainer },
    extra: r.text !== undefined
      ? { data: r.text.label ?? "texts", batch: cfg.batch, maxLen: run.maxLength }
      : { tasks: s!.tasks, settings: s, batch: cfg.batch, maxLen: run.maxLength, ...(cfg.method !== "mezo" && cfg.method !== "lora-mezo" ? { masks: "masks.json" } : {}) },
  };
}
