/** What a task's data becomes before templating: labelled records in the pools that splits are sampled from. */
import type { FieldValue } from "./formats/row.ts";

/** One usable source record: its fields (the file's plus derived ones), its label and, for generation, its answers. */
export interface RawRecord {
  /** Stable id within the task, e.g. "train:41" or "val:12". */
  readonly id: string;
  /** Where it came from, for messages: "<file> line 12" or "<file> row 3". */
  readonly where: string;
  readonly fields: Readonly<Record<string, FieldValue>>;
  /** classification: index into the verbalizer; multiple-choice: the gold candidate; generation: 0. */
  readonly label: number;
  /** generation: the acceptable answers (the first is the training target). */
  readonly answers?: readonly string[];
}

/**
 * A task's labelled data: train (and dev, unless a dev pool exists) examples are drawn disjointly from
 * `train`, dev from `dev` when given, test from `test`. The pools never share a source record.
 */
export interface TaskPools<R = RawRecord> {
  readonly train: readonly R[];
  readonly dev?: readonly R[];
  readonly test: readonly R[];
}

/** A record that cannot be used, and why: file, line or row, field, value and what was expected. */
export interface BadRecord {
  /** "<file> line 12" / "<file> row 3". */
  readonly where: string;
  /** The field at fault ("" when the record as a whole is). */
  readonly field: string;
  readonly message: string;
}

/** One line for a bad record: `<file> line 4: field "label": ...`. */
export function describeBad(b: BadRecord): string {
  return `${b.where}: ${b.field === "" ? "" : `field "${b.field}": `}${b.message}`;
}
