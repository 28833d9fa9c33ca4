/** What a fine-tuning run returns (and sends in its "done" event). */
import type { CurvePoint } from "./checkpoint.ts";
import type { EvalReport } from "./evaluate.ts";

/** The step with the lowest dev loss and the evaluation of its weights (rebuilt from the trajectory). */
export interface BestStep {
  readonly step: number;
  readonly dev_loss: number;
  /** The evaluation of the best step's weights (absent when the rebuild was not asked for). */
  readonly report?: EvalReport;
}

/** The result of `fineTune`. */
export interface FineTuneResult {
  readonly method: string;
  readonly description: string;
  readonly steps: number;
  /** Evaluations before and after training (task data; absent for text data or when skipped). */
  readonly before?: EvalReport;
  readonly after?: EvalReport;
  /** The best dev-loss step (task data with a dev split). */
  readonly best?: BestStep;
  /** Dev loss at step 0 and every evalEvery steps (and the last). */
  readonly curve: readonly CurvePoint[];
  /** (step, training loss of its batch), 1-based steps. */
  readonly trainLoss: readonly (readonly [number, number])[];
  /** Training wall time (excluding evaluation) and the whole run's, in ms. */
  readonly trainMs: number;
  readonly wallMs: number;
  readonly trainable: number;
  readonly total: number;
  /** Steps skipped for a non-finite loss. */
  readonly skipped: number;
  /**
   * Peak GPU bytes of one forward pass and of one training step on the same batch (the first step's of
   * this session), their ratio, and the peak over the run (higher when batches of other lengths add
   * activation shapes).
   */
  readonly memory: { readonly forward: number; readonly step: number; readonly ratio: number; readonly runPeak: number };
  /** Mean step time / (2 x probes x forward time). */
  readonly stepOverForward: number;
  /** Display paths of the files written (the sink's path of each). */
  readonly written: readonly string[];
}
