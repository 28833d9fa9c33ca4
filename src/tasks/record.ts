/** What a loader returns before templating: labelled records in the pools that splits are sampled from. */

/** One labelled source record: the template fields it offers and its label (an index into the verbalizer). */
export interface RawRecord {
  /** Stable id within the task, e.g. "train:41" or "val:12". */
  readonly id: string;
  readonly fields: Readonly<Record<string, string>>;
  readonly label: number;
}

/**
 * A task's labelled data: train and dev examples are drawn (disjointly) from `train`, test examples
 * from `test`. The pools never share a source record.
 */
export interface TaskPools {
  readonly train: readonly RawRecord[];
  readonly test: readonly RawRecord[];
}
