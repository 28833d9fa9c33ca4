/**
 * The unit every task produces: a prompt and the candidate continuations the model scores after it.
 * Legend: a task's train/dev/test splits are lists of Examples; `label` indexes `candidates`.
 */
import type { TrainObjective } from "./task.ts";

/** The built-in tasks (MeZO's naming, lower-case), shipped as task files in src/tasks/builtin/. */
export const TASK_NAMES = ["sst2", "trec", "boolq", "rte", "cb", "copa", "wic", "agnews"] as const;

/** One of {@link TASK_NAMES}. */
export type TaskName = (typeof TASK_NAMES)[number];

/** Whether `name` is a built-in task name. */
export function isTaskName(name: string): name is TaskName {
  return (TASK_NAMES as readonly string[]).includes(name);
}

/** How a generation example is decoded at evaluation. */
export interface GenerationSettings {
  /** Text before the answer in the trained target (" "). */
  readonly prefix: string;
  /** Text that ends the target and stops greedy decoding ("\n"). */
  readonly stop: string;
  /** Most tokens decoded. */
  readonly maxNewTokens: number;
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
  /** The continuations to score; at least two, or one (the answer target) for generation. */
  readonly candidates: readonly string[];
  /** Index of the gold candidate. */
  readonly label: number;
  /** How the task trains (default "classification" when absent). */
  readonly objective?: TrainObjective;
  /** generation: the acceptable answers, scored by exact match and token F1 after greedy decoding. */
  readonly answers?: readonly string[];
  readonly generation?: GenerationSettings;
  /** The character range of the prompt's long field (the passage), shortened first when the prompt is too long. */
  readonly shorten?: { readonly start: number; readonly end: number };
}

/** The three sampled splits of one task. */
export interface TaskSplits {
  readonly task: string;
  readonly train: readonly Example[];
  readonly dev: readonly Example[];
  readonly test: readonly Example[];
}
