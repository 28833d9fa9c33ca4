/**
 * Reads one data file of a task file in its format (JSON Lines, JSON, CSV, TSV, Parquet, regex lines,
 * XML items), joins a parallel line file when asked, and resolves paths: `$DATA/...` against the data
 * directory, absolute paths and URLs as they are, anything else against the task file's folder.
 */
import { joinPath } from "./data_dir.ts";
import { TaskDataError } from "./errors.ts";
import { parseDelimited } from "./formats/csv.ts";
import { parseJsonArray, parseJsonLines, parseRegexLines, textLines } from "./formats/lines.ts";
import { parseParquet } from "./formats/parquet.ts";
import type { DataRow, FieldValue, ParsedFile } from "./formats/row.ts";
import { parseXmlItems } from "./formats/xml_items.ts";
import type { ReadBytes } from "./read_bytes.ts";
import type { ReadText } from "./read_text.ts";
import type { DataFile } from "./task_file.ts";

/** The readers and bases a task's files resolve against. */
export interface FileAccess {
  readonly readText: ReadText;
  readonly readBytes: ReadBytes;
  /** The folder (or URL folder) of the task file; undefined for built-in tasks. */
  readonly baseDir?: string;
  /** The data directory, resolved lazily (only `$DATA/` paths need it). */
  readonly dataDir: () => Promise<string>;
}

/** The prefix that makes a path relative to the data directory. */
export const DATA_PREFIX = "$DATA/";

/** Where `path` of a task file points. */
export async function resolveDataPath(path: string, access: FileAccess, taskFile: string): Promise<string> {
  if (path.startsWith(DATA_PREFIX)) return joinPath(await access.dataDir(), path.slice(DATA_PREFIX.length));
  if (path.startsWith("/") || /^[a-z][a-z0-9+.-]*:/i.test(path)) return path;
  if (access.baseDir === undefined) throw new TaskDataError(taskFile, 0, `data path ${JSON.stringify(path)} is relative but this task has no folder to resolve it against; use "${DATA_PREFIX}..." or an absolute path`);
  return joinPath(access.baseDir, path);
}

/** The default record id prefix of a file: its name without the last extension. */
export function defaultIdPrefix(path: string): string {
  const base = path.slice(path.lastIndexOf("/") + 1);
  const dot = base.lastIndexOf(".");
  return dot > 0 ? base.slice(0, dot) : base;
}

/** One file's parsed records, with the file's resolved path. */
export interface ReadFile extends ParsedFile {
  readonly path: string;
}

/** Reads and parses one data file. */
export async function readDataFile(f: DataFile, access: FileAccess, taskFile: string): Promise<ReadFile> {
  const path = await resolveDataPath(f.path, access, taskFile);
  let parsed: ParsedFile;
  switch (f.format) {
    case "parquet":
      parsed = await parseParquet(await access.readBytes(path), path);
      break;
    case "jsonl":
      parsed = parseJsonLines(await access.readText(path));
      break;
    case "json":
      parsed = parseJsonArray(await access.readText(path), path);
      break;
    case "csv":
    case "tsv":
      parsed = parseDelimited(await access.readText(path), path, {
        delimiter: f.format === "csv" ? "," : "\t",
        ...(f.header === undefined ? {} : { header: f.header }),
        ...(f.columns === undefined ? {} : { columns: f.columns }),
        ...(f.quote === undefined ? {} : { quote: f.quote }),
      });
      break;
    case "lines":
      parsed = parseRegexLines(await access.readText(path), new RegExp(f.pattern!), f.columns!);
      break;
    case "xml-items":
      parsed = parseXmlItems(await access.readText(path));
      break;
  }
  if (f.joinLines !== undefined) parsed = await joinLines(parsed, f.joinLines, access, taskFile, path);
  return { ...parsed, path };
}

async function joinLines(p: ParsedFile, j: { readonly path: string; readonly field: string }, access: FileAccess, taskFile: string, dataPath: string): Promise<ParsedFile> {
  const path = await resolveDataPath(j.path, access, taskFile);
  const lines = textLines(await access.readText(path));
  const total = p.rows.length + p.bad.length;
  if (lines.length !== total) throw new TaskDataError(path, 0, `expected ${total} lines (one per record of ${dataPath}), found ${lines.length}`);
  const rows: DataRow[] = p.rows.map((r) => ({ ...r, fields: { ...r.fields, [j.field]: lines[r.index]!.text.trim() as FieldValue } }));
  return { rows, bad: p.bad };
}
