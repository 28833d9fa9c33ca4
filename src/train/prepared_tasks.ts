/**
 * Task data ready for training and evaluation: each task's train/dev/test Examples loaded with a seed
 * (built-in tasks, task files or parsed task files alike), rendered through its template and encoded
 * with the model's tokenizer into scoring sequences.
 */
import type { EncodedExample, Tokenizer } from "../tasks/encode.ts";
import { encodeExample } from "../tasks/encode.ts";
import type { TaskKind } from "../tasks/task_file.ts";
import type { SplitSizes, TrainObjective } from "../tasks/task.ts";
import { loadTasks, type TaskRef } from "../tasks/load.ts";
import type { ReadBytes } from "../tasks/read_bytes.ts";
import type { ReadText } from "../tasks/read_text.ts";

export interface PreparedTask {
  readonly name: string;
  /** classification and multiple-choice are scored by accuracy, generation by exact match and token F1. */
  readonly kind: TaskKind;
  readonly objective: TrainObjective;
  readonly train: readonly EncodedExample[];
  readonly dev: readonly EncodedExample[];
  readonly test: readonly EncodedExample[];
  /** Records left out with skipBad, described (file, line, field, problem). */
  readonly skipped: readonly string[];
}

export interface PrepareOptions {
  readonly seed: number;
  /** Requested sizes for every task (win over the task files'). */
  readonly sizes?: Partial<SplitSizes>;
  /** Sizes of tasks whose task file gives none. */
  readonly defaultSizes?: Partial<SplitSizes>;
  /** Longest scoring sequence, BOS included (the model's context length or less). */
  readonly maxLength: number;
  readonly dataDir?: string;
  readonly read?: ReadText;
  readonly readBytes?: ReadBytes;
  readonly skipBad?: boolean;
  readonly templates?: Readonly<Record<string, unknown>>;
}

/**
 * Loads and encodes `refs`; split sizes, seed and templates as in src/tasks/load.ts. A task whose train
 * split comes out empty (its pool no larger than its dev split) is a RangeError saying what to change.
 */
export async function prepareTasks(refs: readonly TaskRef[], tokenizer: Tokenizer, o: PrepareOptions): Promise<PreparedTask[]> {
  const loadOpts = {
    seed: o.seed,
    ...(o.sizes !== undefined ? { sizes: o.sizes } : {}),
    ...(o.defaultSizes !== undefined ? { fallbackSizes: o.defaultSizes } : {}),
    ...(o.dataDir !== undefined ? { dataDir: o.dataDir } : {}),
    ...(o.read !== undefined ? { read: o.read } : {}),
    ...(o.readBytes !== undefined ? { readBytes: o.readBytes } : {}),
    ...(o.skipBad !== undefined ? { skipBad: o.skipBad } : {}),
    ...(o.templates !== undefined ? { templates: o.templates } : {}),
  };
  const splits = await loadTasks(refs, loadOpts);
  for (const s of splits) {
    if (s.train.length === 0) {
      throw new RangeError(`task ${s.task} (${s.spec.file}): no train examples: the train pool is empty or dev took all of it (${s.dev.length} dev examples); request a smaller dev size (--dev-n, "sizes.dev") or give the task more train data`);
    }
  }
  const enc = { maxLength: o.maxLength };
  return splits.map((s) => ({
    name: s.task,
    kind: s.spec.kind,
    objective: s.spec.objective,
    train: s.train.map((e) => encodeExample(e, tokenizer, enc)),
    dev: s.dev.map((e) => encodeExample(e, tokenizer, enc)),
    test: s.test.map((e) => encodeExample(e, tokenizer, enc)),
    skipped: s.skipped,
  }));
}
