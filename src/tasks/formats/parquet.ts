/**
 * Parquet through hyparquet (pure JavaScript, Deno/Node/browser; snappy built in, as Hugging Face's
 * datasets use). Each row becomes a record keyed by column name; INT64 values (bigint) are kept as
 * bigint and rendered in decimal, lists stay lists (e.g. a column of acceptable answers).
 */
import { parquetReadObjects } from "hyparquet/src/index.js";
import { TaskDataError } from "../errors.ts";
import type { DataRow, FieldValue, ParsedFile } from "./row.ts";

/** Parses a whole Parquet file held in memory. */
export async function parseParquet(bytes: Uint8Array, file: string): Promise<ParsedFile> {
  const buf = bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength) as ArrayBuffer;
  let objects: Record<string, unknown>[];
  try {
    objects = await parquetReadObjects({ file: buf });
  } catch (e) {
    throw new TaskDataError(file, 0, `cannot read it as Parquet (${(e as Error).message})`, { cause: e });
  }
  const rows: DataRow[] = objects.map((o, i) => ({ index: i, where: `row ${i + 1}`, fields: o as Record<string, FieldValue> }));
  return { rows, bad: [] };
}
