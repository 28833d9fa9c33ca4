/**
 * The events of a fine-tuning run, in the order `fineTune` sends them: "progress" lines (loading,
 * calibration, evaluation, resume), "evaluation" reports (before, after, best), one "step" per training
 * step (with the dev loss on evaluation steps), "checkpoint" after each checkpoint is written,
 * "warning"s, and "done" with the result. Plain data, structured-cloneable (a worker can post them).
 */
import type { StepRecord } from "../zo/trainer.ts";
import type { EvalReport } from "./evaluate.ts";
import type { FineTuneResult } from "./result.ts";

/** One event of a run (see the module doc). */
export type FineTuneEvent =
  | { readonly type: "progress"; readonly phase: "load" | "calibrate" | "evaluate" | "resume" | "best" | "write"; readonly message: string }
  | { readonly type: "evaluation"; readonly phase: "before" | "after" | "best"; readonly step: number; readonly report: EvalReport; readonly seconds: number }
  | {
    readonly type: "step";
    /** Steps completed (1-based) and the run's total. */
    readonly step: number;
    readonly total: number;
    /** The trainer's record of the step (loss, g, lr, seeds, updates, ...). */
    readonly record: StepRecord;
    /** Mean dev loss after this step (evaluation steps only). */
    readonly devLoss?: number;
    /** Training steps per second so far (this session). */
    readonly stepsPerSec: number;
  }
  | { readonly type: "checkpoint"; readonly step: number }
  | { readonly type: "warning"; readonly message: string }
  | { readonly type: "done"; readonly result: FineTuneResult };
