/**
 * Task data ready for training and evaluation: each task's train/dev/test Examples loaded with a seed,
 * rendered through its template and encoded with the model's tokenizer into scoring sequences.
 */
import type { EncodedExample, Tokenizer } from "../tasks/encode.ts";
import { encodeExample } from "../tasks/encode.ts";
import type { SplitSizes, TrainObjective } from "../tasks/task.ts";
import { loadTasks } from "../tasks/load.ts";
import type { ReadText } from "../tasks/read_text.ts";

export interface PreparedTask {
  readonly name: string;
  readonly objective: TrainObjective;
  readonly train: readonly EncodedExample[];
  readonly dev: readonly EncodedExample[];
  readonly test: readonly EncodedExample[];
}

export interface PrepareOptions {
  readonly seed: number;
  readonly sizes?: Partial<SplitSizes>;
  /** Longest scoring sequence, BOS included (the model's context length or less). */
  readonly maxLength: number;
  readonly dataDir?: string;
  readonly read?: ReadText;
  readonly templates?: Readonly<Record<string, unknown>>;
}

/** Loads and encodes `names`; split sizes, seed and templates as in src/tasks/load.ts. */
export async function prepareTasks(names: readonly string[], tokenizer: Tokenizer, o: PrepareOptions): Promise<PreparedTask[]> {
  const loadOpts = {
    seed: o.seed,
    ...(o.sizes !== undefined ? { sizes: o.sizes } : {}),
    ...(o.dataDir !== undefined ? { dataDir: o.dataDir } : {}),
    ...(o.read !== undefined ? { read: o.read } : {}),
    ...(o.templates !== undefined ? { templates: o.templates } : {}),
  };
  const splits = await loadTasks(names, loadOpts);
  const enc = { maxLength: o.maxLength };
  return splits.map((s) => ({
    name: s.task,
    objective: s.spec.objective,
    train: s.train.map((e) => encodeExample(e, tokenizer, enc)),
    dev: s.dev.map((e) => encodeExample(e, tokenizer, enc)),
    test: s.test.map((e) => encodeExample(e, tokenizer, enc)),
  }));
}
