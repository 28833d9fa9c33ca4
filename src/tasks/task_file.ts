/**
 * The task file: a small JSON document that describes one task (its data files, how a record becomes a
 * prompt and its candidates, how it is trained and evaluated). docs/tasks.md documents the schema; this
 * module validates a parsed document into a {@link TaskSpec}, with errors that name the file, the field,
 * the value found and what was expected (TaskFileError).
 */
import type { SplitSizes, TrainObjective } from "./task.ts";
import { checkTransforms, type FieldTransform } from "./transforms.ts";

/** The three kinds of task. */
export type TaskKind = "classification" | "multiple-choice" | "generation";
/** Every TaskKind, in the order docs/tasks.md describes them. */
export const TASK_KINDS: readonly TaskKind[] = ["classification", "multiple-choice", "generation"];

/** The data formats a file can have. */
export type DataFormat = "jsonl" | "json" | "csv" | "tsv" | "parquet" | "lines" | "xml-items";
/** Every DataFormat a task file's "format" may name. */
export const DATA_FORMATS: readonly DataFormat[] = ["jsonl", "json", "csv", "tsv", "parquet", "lines", "xml-items"];

/** One data file and how to read it. */
export interface DataFile {
  /** As written; relative paths are relative to the task file, `$DATA/...` to the data directory. */
  readonly path: string;
  readonly format: DataFormat;
  /** Record id prefix (default: the file name without its last extension). */
  readonly id?: string;
  /** A field whose value names the record (`<id>:<value>`); default the record's index in the file. */
  readonly idField?: string;
  /** CSV/TSV: first row is a header (default true). */
  readonly header?: boolean;
  /** CSV/TSV without header, or "lines": the field names. */
  readonly columns?: readonly string[];
  /** TSV: whether `"` quotes fields (default true). */
  readonly quote?: boolean;
  /** "lines": the regular expression, one capture group per column. */
  readonly pattern?: string;
  /** A parallel text file with one value per record (e.g. WiC's gold labels), added as field `field`. */
  readonly joinLines?: { readonly path: string; readonly field: string };
}

/** How one file is split into pools. */
export type SplitRule =
  | { readonly rule: "random"; readonly test: number; readonly dev?: number }
  | { readonly rule: "head"; readonly train: number }
  | { readonly rule: "field"; readonly field: string; readonly values: { readonly train: string; readonly dev: string; readonly test: string } };

/** Where the records come from: files per split, and/or one file with a split rule. */
export interface DataSpec {
  readonly train: readonly DataFile[];
  readonly dev: readonly DataFile[];
  readonly test: readonly DataFile[];
  readonly file?: DataFile;
  readonly split?: SplitRule;
}

/** A derived field: `from`'s value through `apply` (in order) and/or the value map `map`. */
export interface DerivedField {
  readonly from: string;
  readonly apply: readonly FieldTransform[];
  readonly map?: Readonly<Record<string, string>>;
}

/** A validated task file. */
export interface TaskSpec {
  readonly name: string;
  readonly kind: TaskKind;
  /** Where the spec came from (a path, or "built-in <name>"). */
  readonly file: string;
  readonly description?: string;
  readonly data: DataSpec;
  readonly template: string;
  /** classification and multiple-choice: the field holding the label (a verbalizer key or a candidate index). */
  readonly labelField?: string;
  /** classification: label value -> answer text, in label order. */
  readonly verbalizer?: readonly (readonly [string, string])[];
  /** multiple-choice: candidate patterns (a list: gold = index; a map: gold = key). */
  readonly candidates?: readonly (readonly [string, string])[];
  /** multiple-choice: whether `candidates` was a map (gold by key) rather than a list (gold by index). */
  readonly candidatesKeyed?: boolean;
  /** multiple-choice: a list-valued field, or several string fields, holding the candidates. */
  readonly candidatesField?: string | readonly string[];
  /** multiple-choice with candidatesField: text put before each candidate (default " "). */
  readonly candidatePrefix: string;
  /** generation: the field holding the answer (a string or a list of acceptable answers). */
  readonly answerField?: string;
  /** generation: text before the answer in the trained target (default " "). */
  readonly answerPrefix: string;
  /** generation: text that ends the trained target and stops decoding (default "\n"). */
  readonly stop: string;
  /** generation: most tokens decoded per answer (default 50, MeZO's max_new_tokens). */
  readonly maxNewTokens: number;
  readonly objective: TrainObjective;
  readonly sizes: Partial<SplitSizes>;
  /** A fixed sampling seed for this task's splits (default: the run's seed). */
  readonly seed?: number;
  readonly derive: Readonly<Record<string, DerivedField>>;
  /** The field shortened first when a prompt exceeds the length limit (e.g. the passage). */
  readonly truncate?: string;
  /** Human-readable label names (default: the verbalizer's keys or "choice<i>"). */
  readonly labels?: readonly string[];
}

/** A task file that does not follow the schema. */
export class TaskFileError extends Error {
  override readonly name = "TaskFileError";
  readonly file: string;
  readonly field: string;
  constructor(file: string, field: string, message: string) {
    super(`${file}: ${field === "" ? "" : `"${field}" `}${message}`);
    this.file = file;
    this.field = field;
  }
}

const NAME_RE = /^[A-Za-z0-9][A-Za-z0-9_.-]*$/;
const TOP_KEYS = [
  "name", "kind", "description", "data", "template", "label_field", "verbalizer", "candidates", "candidates_field", "candidate_prefix",
  "answer_field", "answer_prefix", "stop", "max_new_tokens", "objective", "sizes", "seed", "derive", "truncate", "labels", "$schema",
] as const;

function show(v: unknown): string {
  if (v === undefined) return "nothing";
  const s = JSON.stringify(v) ?? String(v);
  return s.length > 80 ? `${s.slice(0, 76)}...` : s;
}

class Checker {
  constructor(readonly file: string) {}
  fail(field: string, msg: string): never {
    throw new TaskFileError(this.file, field, msg);
  }
  object(v: unknown, field: string): Record<string, unknown> {
    if (typeof v !== "object" || v === null || Array.isArray(v)) this.fail(field, `must be an object, got ${show(v)}`);
    return v as Record<string, unknown>;
  }
  keys(o: Record<string, unknown>, field: string, allowed: readonly string[]): void {
    for (const k of Object.keys(o)) if (!allowed.includes(k)) this.fail(field === "" ? k : `${field}.${k}`, `is not a known key; expected one of ${allowed.filter((a) => a !== "$schema").join(", ")}`);
  }
  string(v: unknown, field: string, nonEmpty = false): string {
    if (typeof v !== "string" || (nonEmpty && v === "")) this.fail(field, `must be a ${nonEmpty ? "non-empty " : ""}string, got ${show(v)}`);
    return v;
  }
  optString(v: unknown, field: string, d: string): string {
    return v === undefined ? d : this.string(v, field);
  }
  int(v: unknown, field: string, min: number): number {
    if (typeof v !== "number" || !Number.isInteger(v) || v < min) this.fail(field, `must be an integer >= ${min}, got ${show(v)}`);
    return v;
  }
  oneOf<T extends string>(v: unknown, field: string, allowed: readonly T[]): T {
    if (typeof v !== "string" || !(allowed as readonly string[]).includes(v)) this.fail(field, `must be one of ${allowed.map((a) => JSON.stringify(a)).join(", ")}, got ${show(v)}`);
    return v as T;
  }
  stringList(v: unknown, field: string): string[] {
    if (!Array.isArray(v) || v.length === 0 || !v.every((x) => typeof x === "string" && x !== "")) this.fail(field, `must be a non-empty list of non-empty strings, got ${show(v)}`);
    return v as string[];
  }
}

/** The format implied by a file name, or undefined. */
export function formatOfPath(path: string): DataFormat | undefined {
  const p = path.toLowerCase();
  if (p.endsWith(".jsonl") || p.endsWith(".ndjson")) return "jsonl";
  if (p.endsWith(".json")) return "json";
  if (p.endsWith(".csv")) return "csv";
  if (p.endsWith(".tsv")) return "tsv";
  if (p.endsWith(".parquet")) return "parquet";
  if (p.endsWith(".xml")) return "xml-items";
  return undefined;
}

const FILE_KEYS = ["path", "format", "id", "id_field", "header", "columns", "quote", "pattern", "join_lines"];

function dataFile(c: Checker, v: unknown, field: string): DataFile {
  const o: Record<string, unknown> = typeof v === "string" ? { path: v } : c.object(v, field);
  c.keys(o, field, FILE_KEYS);
  const path = c.string(o.path, `${field}.path`, true);
  const format = o.format === undefined ? formatOfPath(path) : c.oneOf(o.format, `${field}.format`, DATA_FORMATS);
  if (format === undefined) c.fail(`${field}.format`, `is needed: the format of ${JSON.stringify(path)} cannot be told from its name; expected one of ${DATA_FORMATS.join(", ")} (or a name ending in .jsonl, .json, .csv, .tsv, .parquet, .xml)`);
  const out: { -readonly [K in keyof DataFile]: DataFile[K] } = { path, format };
  if (o.id !== undefined) out.id = c.string(o.id, `${field}.id`, true);
  if (o.id_field !== undefined) out.idField = c.string(o.id_field, `${field}.id_field`, true);
  if (o.header !== undefined) {
    if (typeof o.header !== "boolean") c.fail(`${field}.header`, `must be true or false, got ${show(o.header)}`);
    out.header = o.header;
  }
  if (o.quote !== undefined) {
    if (typeof o.quote !== "boolean") c.fail(`${field}.quote`, `must be true or false, got ${show(o.quote)}`);
    out.quote = o.quote;
  }
  if (o.columns !== undefined) out.columns = c.stringList(o.columns, `${field}.columns`);
  if (o.pattern !== undefined) {
    const p = c.string(o.pattern, `${field}.pattern`, true);
    try {
      new RegExp(p);
    } catch (e) {
      c.fail(`${field}.pattern`, `must be a valid regular expression, got ${show(p)} (${(e as Error).message})`);
    }
    out.pattern = p;
  }
  if (format === "lines" && (out.pattern === undefined || out.columns === undefined)) c.fail(field, `format "lines" needs "pattern" and "columns" (one capture group per column)`);
  if ((format === "csv" || format === "tsv") && out.header === false && out.columns === undefined) c.fail(`${field}.columns`, `is needed when "header" is false (the field names), got nothing`);
  if (o.join_lines !== undefined) {
    const j = c.object(o.join_lines, `${field}.join_lines`);
    c.keys(j, `${field}.join_lines`, ["path", "field"]);
    out.joinLines = { path: c.string(j.path, `${field}.join_lines.path`, true), field: c.string(j.field, `${field}.join_lines.field`, true) };
  }
  return out;
}

function dataFiles(c: Checker, v: unknown, field: string): DataFile[] {
  if (v === undefined) return [];
  if (Array.isArray(v)) {
    if (v.length === 0) c.fail(field, "must name at least one file, got an empty list");
    return v.map((x, i) => dataFile(c, x, `${field}[${i}]`));
  }
  return [dataFile(c, v, field)];
}

function sizeOrFraction(c: Checker, v: unknown, field: string): number {
  if (typeof v !== "number" || !(v > 0) || (v >= 1 && !Number.isInteger(v))) c.fail(field, `must be a record count (integer >= 1) or a fraction in (0, 1), got ${show(v)}`);
  return v;
}

function splitRule(c: Checker, v: unknown, field: string): SplitRule {
  const o = c.object(v, field);
  const rule = o.rule === undefined ? "random" : c.oneOf(o.rule, `${field}.rule`, ["random", "head", "field"] as const);
  if (rule === "random") {
    c.keys(o, field, ["rule", "test", "dev"]);
    const test = sizeOrFraction(c, o.test, `${field}.test`);
    return o.dev === undefined ? { rule, test } : { rule, test, dev: sizeOrFraction(c, o.dev, `${field}.dev`) };
  }
  if (rule === "head") {
    c.keys(o, field, ["rule", "train"]);
    return { rule, train: c.int(o.train, `${field}.train`, 1) };
  }
  c.keys(o, field, ["rule", "field", "values"]);
  const vals = o.values === undefined ? {} : c.object(o.values, `${field}.values`);
  c.keys(vals, `${field}.values`, ["train", "dev", "test"]);
  const pick = (k: "train" | "dev" | "test", d: string) => (vals[k] === undefined ? d : c.string(vals[k], `${field}.values.${k}`, true));
  return { rule, field: c.string(o.field, `${field}.field`, true), values: { train: pick("train", "train"), dev: pick("dev", "dev"), test: pick("test", "test") } };
}

function dataSpec(c: Checker, v: unknown): DataSpec {
  const o = c.object(v, "data");
  c.keys(o, "data", ["train", "dev", "test", "file", "split"]);
  const spec: { -readonly [K in keyof DataSpec]: DataSpec[K] } = { train: dataFiles(c, o.train, "data.train"), dev: dataFiles(c, o.dev, "data.dev"), test: dataFiles(c, o.test, "data.test") };
  if (o.file !== undefined) {
    spec.file = dataFile(c, o.file, "data.file");
    if (o.split === undefined) c.fail("data.split", `is needed with "data.file": how to split it, e.g. {"rule": "random", "test": 0.2}`);
    spec.split = splitRule(c, o.split, "data.split");
  } else if (o.split !== undefined) c.fail("data.split", `only applies to "data.file", which is missing`);
  if (spec.train.length === 0 && spec.file === undefined) c.fail("data", `must give train data: "train" (a file or list of files) or "file" with a "split" rule`);
  if (spec.test.length === 0 && spec.file === undefined) c.fail("data", `must give test data: "test" (a file or list of files) or "file" with a "split" rule`);
  return spec;
}

function pairs(c: Checker, v: unknown, field: string): { list: [string, string][]; keyed: boolean } {
  if (Array.isArray(v)) {
    if (v.length < 2 || !v.every((x) => typeof x === "string" && x !== "")) c.fail(field, `must list at least two non-empty strings, got ${show(v)}`);
    return { list: (v as string[]).map((x, i) => [String(i), x]), keyed: false };
  }
  const o = c.object(v, field);
  const list = Object.entries(o).map(([k, x]) => [k, c.string(x, `${field}.${k}`, true)] as [string, string]);
  if (list.length < 2) c.fail(field, `must map at least two label values to answer texts, got ${show(v)}`);
  return { list, keyed: true };
}

function derive(c: Checker, v: unknown): Record<string, DerivedField> {
  if (v === undefined) return {};
  const o = c.object(v, "derive");
  const out: Record<string, DerivedField> = {};
  for (const [name, d] of Object.entries(o)) {
    const f = `derive.${name}`;
    const e: Record<string, unknown> = typeof d === "string" ? { from: d } : c.object(d, f);
    c.keys(e, f, ["from", "apply", "map"]);
    const apply = e.apply === undefined ? [] : Array.isArray(e.apply) ? e.apply : [e.apply];
    const checked = checkTransforms(apply, (i, msg) => c.fail(`${f}.apply[${i}]`, msg));
    let map: Record<string, string> | undefined;
    if (e.map !== undefined) {
      const m = c.object(e.map, `${f}.map`);
      map = {};
      for (const [k, x] of Object.entries(m)) map[k] = c.string(x, `${f}.map.${k}`);
    }
    out[name] = { from: c.string(e.from, `${f}.from`, true), apply: checked, ...(map === undefined ? {} : { map }) };
  }
  return out;
}

/** Validates a parsed task file; `file` names it in errors. */
export function parseTaskSpec(value: unknown, file: string): TaskSpec {
  const c = new Checker(file);
  const o = c.object(value, "");
  c.keys(o, "", TOP_KEYS);
  const name = c.string(o.name, "name", true);
  if (!NAME_RE.test(name)) c.fail("name", `must be letters, digits, "_", "-" or "." (not starting with a symbol), got ${show(name)}`);
  const kind = c.oneOf(o.kind, "kind", TASK_KINDS);
  const template = c.string(o.template, "template", true);
  const data = dataSpec(c, o.data);
  const spec: { -readonly [K in keyof TaskSpec]: TaskSpec[K] } = {
    name,
    kind,
    file,
    data,
    template,
    candidatePrefix: c.optString(o.candidate_prefix, "candidate_prefix", " "),
    answerPrefix: c.optString(o.answer_prefix, "answer_prefix", " "),
    stop: c.optString(o.stop, "stop", "\n"),
    maxNewTokens: o.max_new_tokens === undefined ? 50 : c.int(o.max_new_tokens, "max_new_tokens", 1),
    objective: kind === "generation" ? "lm" : "classification",
    sizes: {},
    derive: derive(c, o.derive),
  };
  if (typeof o.description === "string") spec.description = o.description;
  else if (o.description !== undefined) c.fail("description", `must be a string, got ${show(o.description)}`);
  const need = (k: string, why: string) => {
    if (o[k] === undefined) c.fail(k, `is needed for kind ${JSON.stringify(kind)} (${why})`);
  };
  const forbid = (keys: readonly string[]) => {
    for (const k of keys) if (o[k] !== undefined) c.fail(k, `does not apply to kind ${JSON.stringify(kind)}`);
  };
  if (kind === "classification") {
    need("label_field", "the field holding each record's label");
    need("verbalizer", "label value -> answer text");
    forbid(["candidates", "candidates_field", "candidate_prefix", "answer_field", "answer_prefix", "stop", "max_new_tokens"]);
    spec.labelField = c.string(o.label_field, "label_field", true);
    const vb = pairs(c, o.verbalizer, "verbalizer");
    spec.verbalizer = vb.list;
  } else if (kind === "multiple-choice") {
    need("label_field", "the field holding the gold candidate");
    forbid(["verbalizer", "answer_field", "answer_prefix", "stop", "max_new_tokens"]);
    spec.labelField = c.string(o.label_field, "label_field", true);
    if ((o.candidates === undefined) === (o.candidates_field === undefined)) c.fail("candidates", `give exactly one of "candidates" (patterns) and "candidates_field" (the field or fields holding them)`);
    if (o.candidates !== undefined) {
      const cs = pairs(c, o.candidates, "candidates");
      spec.candidates = cs.list;
      spec.candidatesKeyed = cs.keyed;
    } else {
      spec.candidatesField = typeof o.candidates_field === "string" ? c.string(o.candidates_field, "candidates_field", true) : c.stringList(o.candidates_field, "candidates_field");
    }
  } else {
    need("answer_field", "the field holding the answer or a list of acceptable answers");
    forbid(["verbalizer", "candidates", "candidates_field", "candidate_prefix", "label_field"]);
    spec.answerField = c.string(o.answer_field, "answer_field", true);
  }
  if (o.objective !== undefined) {
    const obj = c.oneOf(o.objective, "objective", ["classification", "lm"] as const);
    if (kind === "generation" && obj !== "lm") c.fail("objective", `must be "lm" for a generation task (there are no candidates to classify over), got ${show(obj)}`);
    spec.objective = obj;
  }
  if (o.sizes !== undefined) {
    const s = c.object(o.sizes, "sizes");
    c.keys(s, "sizes", ["train", "dev", "test"]);
    const sizes: { -readonly [K in keyof SplitSizes]?: number } = {};
    for (const k of ["train", "dev", "test"] as const) if (s[k] !== undefined) sizes[k] = c.int(s[k], `sizes.${k}`, 0);
    spec.sizes = sizes;
  }
  if (o.seed !== undefined) {
    const s = c.int(o.seed, "seed", 0);
    if (s >= 2 ** 32) c.fail("seed", `must be below 2^32, got ${s}`);
    spec.seed = s;
  }
  if (o.truncate !== undefined) spec.truncate = c.string(o.truncate, "truncate", true);
  if (o.labels !== undefined) {
    spec.labels = c.stringList(o.labels, "labels");
    const n = spec.verbalizer?.length ?? spec.candidates?.length;
    if (n !== undefined && spec.labels.length !== n) c.fail("labels", `lists ${spec.labels.length} names for ${n} ${kind === "classification" ? "verbalizer entries" : "candidates"}`);
  }
  return spec;
}

/** Human-readable label names of a spec (for reports and histograms). */
export function labelNames(spec: TaskSpec): readonly string[] {
  if (spec.labels !== undefined) return spec.labels;
  if (spec.verbalizer !== undefined) return spec.verbalizer.map(([k]) => k);
  if (spec.candidates !== undefined) return spec.candidates.map(([k], i) => (spec.candidatesKeyed === true ? k : `choice${i + 1}`));
  return [];
}
