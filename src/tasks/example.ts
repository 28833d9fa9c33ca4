/**
 * The unit every task produces: a prompt and the candidate continuations the model scores after it.
 * Legend: a task's train/dev/test splits are lists of Examples; `label` indexes `candidates`.
 */

/** The tasks mazo can load (MeZO's naming, lower-case). */
export const TASK_NAMES = ["sst2", "trec", "boolq", "rte", "cb", "copa", "wic", "agnews"] as const;

/** One of {@link TASK_NAMES}. */
export type TaskName = (typeof TASK_NAMES)[number];

/** Whether `name` is a known task name. */
export function isTaskName(name: string): name is TaskName {
  return (TASK_NAMES as readonly string[]).includes(name);
}

/**
 * One prompted example. The text scored for candidate c is `prompt + candidates[c]`: the candidate
 * carries its own leading separator (" great", "Yes" after a prompt ending in "\n").
 */
export interface Example {
  readonly task: string;
  /** Stable id within the task, e.g. "train:41" (source split and record index or original id). */
  readonly id: string;
  readonly prompt: string;
  /** The continuations to score; at least two. */
  readonly candidates: readonly string[];
  /** Index of the gold candidate. */
  readonly label: number;
}

/** The three sampled splits of one task. */
export interface TaskSplits {
  readonly task: string;
  readonly train: readonly Example[];
  readonly dev: readonly Example[];
  readonly test: readonly Example[];
}
