/**
 * Line-oriented formats: JSON Lines (one object per non-empty line), a JSON array of objects, and plain
 * text lines split into fields by a regular expression (`"pattern"` with one capture group per name in
 * `"columns"`, e.g. SST-2's "<0|1> <sentence>"). A line that does not parse is a bad row, reported with
 * its number; captured groups are trimmed.
 */
import { excerpt, TaskDataError } from "../errors.ts";
import type { BadRow, DataRow, FieldValue, ParsedFile } from "./row.ts";

/** One non-empty line and its 1-based number. */
export interface NumberedLine {
  readonly line: number;
  readonly text: string;
}

/** The lines of `text` (LF or CRLF), skipping empty ones (a missing final newline is fine). */
export function textLines(text: string): NumberedLine[] {
  const out: NumberedLine[] = [];
  const parts = text.split("\n");
  for (let i = 0; i < parts.length; i++) {
    const t = parts[i]!.replace(/\r$/, "");
    if (t.trim() !== "") out.push({ line: i + 1, text: t });
  }
  return out;
}

/** Parses JSON Lines: every non-empty line one JSON object. */
export function parseJsonLines(text: string): ParsedFile {
  const rows: DataRow[] = [];
  const bad: BadRow[] = [];
  for (const { line, text: t } of textLines(text)) {
    const where = `line ${line}`;
    const index = rows.length + bad.length;
    let v: unknown;
    try {
      v = JSON.parse(t);
    } catch (e) {
      bad.push({ index, where, message: `expected a JSON object, got invalid JSON (${(e as Error).message}): ${excerpt(t)}` });
      continue;
    }
    if (typeof v !== "object" || v === null || Array.isArray(v)) bad.push({ index, where, message: `expected a JSON object, got ${excerpt(t)}` });
    else rows.push({ index, where, fields: v as Record<string, FieldValue> });
  }
  return { rows, bad };
}

/** Parses a JSON file holding an array of objects (rows are numbered by array index, 1-based). */
export function parseJsonArray(text: string, file: string): ParsedFile {
  let v: unknown;
  try {
    v = JSON.parse(text);
  } catch (e) {
    throw new TaskDataError(file, 0, `expected a JSON array of objects, got invalid JSON (${(e as Error).message})`);
  }
  if (!Array.isArray(v)) throw new TaskDataError(file, 0, `expected a JSON array of objects, got ${v === null ? "null" : typeof v}`);
  const rows: DataRow[] = [];
  const bad: BadRow[] = [];
  v.forEach((o: unknown, i) => {
    const where = `row ${i + 1}`;
    if (typeof o !== "object" || o === null || Array.isArray(o)) bad.push({ index: i, where, message: `expected an object, got ${excerpt(JSON.stringify(o) ?? String(o))}` });
    else rows.push({ index: i, where, fields: o as Record<string, FieldValue> });
  });
  return { rows, bad };
}

/** Splits each non-empty line with `pattern` (anchored by the caller's pattern) into `columns`. */
export function parseRegexLines(text: string, pattern: RegExp, columns: readonly string[]): ParsedFile {
  const rows: DataRow[] = [];
  const bad: BadRow[] = [];
  for (const { line, text: t } of textLines(text)) {
    const where = `line ${line}`;
    const index = rows.length + bad.length;
    const m = pattern.exec(t);
    if (m === null) {
      bad.push({ index, where, message: `expected a line matching /${pattern.source}/, got ${excerpt(t)}` });
      continue;
    }
    const fields: Record<string, FieldValue> = {};
    columns.forEach((c, i) => (fields[c] = (m[i + 1] ?? "").trim()));
    rows.push({ index, where, fields });
  }
  return { rows, bad };
}
