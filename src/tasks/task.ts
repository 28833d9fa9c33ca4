/** The definition every task file exports: where its data comes from, its default template and objective. */
import type { TaskName } from "./example.ts";
import type { ReadText } from "./read_text.ts";
import type { TaskPools } from "./record.ts";
import type { TaskTemplate } from "./template.ts";

/**
 * How a task is trained: "classification" = cross-entropy over the candidates' mean log-probabilities
 * (MeZO's train-as-classification); "lm" = mean NLL of the gold candidate's tokens (COPA-style tasks,
 * whose candidates are different continuations rather than fixed label words).
 */
export type TrainObjective = "classification" | "lm";

/** Requested or actual split sizes. */
export interface SplitSizes {
  readonly train: number;
  readonly dev: number;
  readonly test: number;
}

/** One task. */
export interface TaskDefinition {
  readonly name: TaskName;
  /** Human-readable label names, in label order (the verbalizer has one entry per label). */
  readonly labels: readonly string[];
  /** The template fields each record offers, for docs and error messages. */
  readonly fields: readonly string[];
  readonly template: TaskTemplate;
  readonly objective: TrainObjective;
  /** Per-task overrides of the default split sizes (MeZO uses dev 100 for CB and COPA). */
  readonly defaultSizes?: Partial<SplitSizes>;
  /** Which files feed the train and test pools, one line, for reports. */
  readonly source: string;
  /** Reads the pools from data directory `dir`. */
  load(dir: string, read: ReadText): Promise<TaskPools>;
}
