/**
 * CSV and TSV through papaparse (RFC 4180 quoting, quoted fields across lines, any line ending). With a
 * header row (the default) the header names the fields; without one `columns` does. A row whose cell
 * count differs from the header's is a bad row (never dropped silently). Quoting can be switched off for
 * TSV files that use no quotes at all (IANA text/tab-separated-values), where a `"` is an ordinary character.
 */
import Papa from "papaparse";
import { TaskDataError } from "../errors.ts";
import type { BadRow, DataRow, FieldValue, ParsedFile } from "./row.ts";

/** How to read one delimited file. */
export interface DelimitedOptions {
  readonly delimiter: "," | "\t" | ";" | "|";
  /** Whether the first row names the columns (default true). */
  readonly header?: boolean;
  /** Column names when there is no header (required then), or to rename a header's columns. */
  readonly columns?: readonly string[];
  /** Whether `"` quotes fields (default true). */
  readonly quote?: boolean;
}

/** 1-based line of each character offset, computed incrementally. */
function lineCounter(text: string): (offset: number) => number {
  let at = 0;
  let line = 1;
  return (offset) => {
    for (; at < offset && at < text.length; at++) if (text.charCodeAt(at) === 10) line++;
    return line;
  };
}

/** Splits delimited text into cell rows with their first line; empty lines are skipped. */
function cellRows(text: string, file: string, o: DelimitedOptions): { line: number; cells: string[] }[] {
  const body = text.charCodeAt(0) === 0xfeff ? text.slice(1) : text;
  const lineOf = lineCounter(body);
  const out: { line: number; cells: string[] }[] = [];
  if (o.quote === false) {
    body.split("\n").forEach((l, i) => {
      const t = l.replace(/\r$/, "");
      if (t.trim() !== "") out.push({ line: i + 1, cells: t.split(o.delimiter) });
    });
    return out;
  }
  let start = 0;
  const errors: string[] = [];
  Papa.parse<string[]>(body, {
    delimiter: o.delimiter,
    quoteChar: '"',
    skipEmptyLines: true,
    step(res) {
      const line = lineOf(start);
      // cursor is the offset just past this row (and its line break)
      start = res.meta.cursor;
      for (const e of res.errors) if (e.type === "Quotes") errors.push(`line ${line}: ${e.message}`);
      out.push({ line, cells: res.data });
    },
  });
  if (errors.length > 0) throw new TaskDataError(file, 0, `malformed quoting: ${errors.slice(0, 3).join("; ")}${errors.length > 3 ? ` (and ${errors.length - 3} more)` : ""}`);
  return out;
}

/** Parses a CSV/TSV file into records keyed by column name. */
export function parseDelimited(text: string, file: string, o: DelimitedOptions): ParsedFile {
  const rows = cellRows(text, file, o);
  let names: readonly string[];
  let body = rows;
  if (o.header === false) {
    if (o.columns === undefined || o.columns.length === 0) throw new TaskDataError(file, 0, `a file without a header row needs "columns" (the field names), got none`);
    names = o.columns;
  } else {
    const head = rows[0];
    if (head === undefined) throw new TaskDataError(file, 0, "expected a header row naming the columns, got an empty file");
    body = rows.slice(1);
    if (o.columns !== undefined && o.columns.length !== head.cells.length) {
      throw new TaskDataError(file, head.line, `"columns" lists ${o.columns.length} names but the header has ${head.cells.length} cells (${head.cells.map((c) => JSON.stringify(c)).join(",")})`);
    }
    names = o.columns ?? head.cells.map((c) => c.trim());
    const dup = names.find((n, i) => names.indexOf(n) !== i);
    if (dup !== undefined) throw new TaskDataError(file, head.line, `the header names column ${JSON.stringify(dup)} twice`);
  }
  const good: DataRow[] = [];
  const bad: BadRow[] = [];
  for (const r of body) {
    const where = `line ${r.line}`;
    const index = good.length + bad.length;
    if (r.cells.length !== names.length) {
      bad.push({ index, where, message: `expected ${names.length} cells (${names.join(", ")}), got ${r.cells.length}` });
      continue;
    }
    const fields: Record<string, FieldValue> = {};
    names.forEach((n, i) => (fields[n] = r.cells[i]!));
    good.push({ index, where, fields });
  }
  return { rows: good, bad };
}
