/**
 * What every data-format reader yields: the records of one file as plain field maps, each with where it
 * came from (a line for text formats, a row for Parquet) so that errors can point at it.
 */

/** A field value as a reader hands it over: text, number, boolean, null, or a list (answers, choices). */
export type FieldValue = string | number | boolean | bigint | null | readonly FieldValue[] | { readonly [k: string]: FieldValue };

/** One record of a data file. */
export interface DataRow {
  /** 0-based position among all the file's records, good or bad (record ids use it). */
  readonly index: number;
  /** Where it starts: "line 12" (text formats) or "row 3" (Parquet). */
  readonly where: string;
  readonly fields: Readonly<Record<string, FieldValue>>;
}

/** A record a reader could not turn into fields (invalid JSON, wrong cell count): kept, never dropped silently. */
export interface BadRow {
  readonly index: number;
  readonly where: string;
  readonly message: string;
}

/** A file's records, in file order, and the ones that could not be parsed. */
export interface ParsedFile {
  readonly rows: readonly DataRow[];
  readonly bad: readonly BadRow[];
}
