/**
 * Line-oriented parsing shared by the loaders: text lines with their 1-based numbers, JSON lines and
 * CSV (RFC 4180 quoting). Every failure is a TaskDataError naming the file and line.
 */
import { excerpt, TaskDataError } from "./errors.ts";

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

/** One parsed JSON object and its line. */
export interface JsonLine {
  readonly line: number;
  readonly value: Readonly<Record<string, unknown>>;
}

/** Parses a JSON-lines file: one object per non-empty line. */
export function parseJsonLines(text: string, file: string): JsonLine[] {
  return textLines(text).map(({ line, text: t }) => {
    let v: unknown;
    try {
      v = JSON.parse(t);
    } catch (e) {
      throw new TaskDataError(file, line, `expected a JSON object, got invalid JSON (${(e as Error).message}): ${excerpt(t)}`);
    }
    if (typeof v !== "object" || v === null || Array.isArray(v)) throw new TaskDataError(file, line, `expected a JSON object, got ${excerpt(t)}`);
    return { line, value: v as Record<string, unknown> };
  });
}

/** A string field of a JSON line, or a TaskDataError naming the key. */
export function jsonString(j: JsonLine, key: string, file: string): string {
  const v = j.value[key];
  if (typeof v !== "string") throw new TaskDataError(file, j.line, `expected string field "${key}", got ${v === undefined ? "no such field" : JSON.stringify(v)}`);
  return v;
}

/** A field of a JSON line that must be one of `allowed`; returns its index in `allowed`. */
export function jsonChoice(j: JsonLine, key: string, allowed: readonly (string | number | boolean)[], file: string): number {
  const v = j.value[key];
  const i = allowed.indexOf(v as string | number | boolean);
  if (i < 0) {
    throw new TaskDataError(file, j.line, `expected field "${key}" to be one of ${allowed.map((a) => JSON.stringify(a)).join(", ")}, got ${v === undefined ? "no such field" : JSON.stringify(v)}`);
  }
  return i;
}

/** One CSV record: its fields and the line it starts on. */
export interface CsvRow {
  readonly line: number;
  readonly cells: readonly string[];
}

/** Parses CSV with double-quoted fields ("" escapes a quote; quoted fields may span lines). */
export function parseCsv(text: string, file: string): CsvRow[] {
  const rows: CsvRow[] = [];
  let cells: string[] = [];
  let cell = "";
  let line = 1;
  let rowLine = 1;
  let i = 0;
  let quoted = false;
  let sawAny = false;
  const endRow = () => {
    cells.push(cell);
    if (!(cells.length === 1 && cells[0] === "")) rows.push({ line: rowLine, cells });
    cells = [];
    cell = "";
    sawAny = false;
  };
  while (i < text.length) {
    const ch = text[i]!;
    if (quoted) {
      if (ch === '"') {
        if (text[i + 1] === '"') {
          cell += '"';
          i += 2;
          continue;
        }
        quoted = false;
        i++;
        const next = text[i];
        if (next !== undefined && next !== "," && next !== "\n" && next !== "\r") {
          throw new TaskDataError(file, line, `expected a comma or line end after a closing quote, got ${JSON.stringify(next)}`);
        }
        continue;
      }
      if (ch === "\n") line++;
      cell += ch;
      i++;
      continue;
    }
    if (ch === '"' && cell === "") {
      quoted = true;
      sawAny = true;
      i++;
    } else if (ch === ",") {
      cells.push(cell);
      cell = "";
      sawAny = true;
      i++;
    } else if (ch === "\n" || ch === "\r") {
      if (ch === "\r" && text[i + 1] === "\n") i++;
      endRow();
      i++;
      line++;
      rowLine = line;
    } else {
      cell += ch;
      sawAny = true;
      i++;
    }
  }
  if (quoted) throw new TaskDataError(file, rowLine, "expected a closing quote before the end of the file");
  if (sawAny || cell !== "" || cells.length > 0) endRow();
  return rows;
}
