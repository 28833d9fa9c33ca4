/** Training objectives and split sizes shared by the task modules. */

/**
 * How a task is trained: "classification" = cross-entropy over the candidates' mean log-probabilities
 * (MeZO's train-as-classification); "lm" = mean NLL of the gold candidate's tokens (COPA-style tasks,
 * whose candidates are different continuations rather than fixed label words, and generation tasks).
 */
export type TrainObjective = "classification" | "lm";

/** Requested or actual split sizes. */
export interface SplitSizes {
  readonly train: number;
  readonly dev: number;
  readonly test: number;
}
