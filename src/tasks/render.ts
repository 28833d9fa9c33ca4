/**
 * Turns a task file's record into an Example: the prompt from the template, the candidates from the
 * verbalizer (classification), the candidate patterns or fields (multiple-choice), or the answer target
 * (generation). Also the check that finds unusable records before any sampling ({@link prepareRecord}).
 */
import type { Example } from "./example.ts";
import type { DataRow, FieldValue } from "./formats/row.ts";
import type { BadRecord, RawRecord } from "./record.ts";
import type { TaskSpec } from "./task_file.ts";
import { fillPattern, type TaskTemplate } from "./template.ts";
import { applyTransforms } from "./transforms.ts";

/** A record problem tied to a field. */
class FieldProblem extends Error {
  constructor(readonly field: string, message: string) {
    super(message);
  }
}

function show(v: FieldValue | undefined): string {
  if (v === undefined) return "no such field";
  const s = typeof v === "bigint" ? `${v}` : JSON.stringify(v, (_k, x) => (typeof x === "bigint" ? `${x}` : x));
  return s.length > 60 ? `${s.slice(0, 56)}...` : s;
}

/** A scalar field value as text (numbers and booleans in their JSON form), or undefined for lists/null. */
export function scalarText(v: FieldValue | undefined): string | undefined {
  if (typeof v === "string") return v;
  if (typeof v === "number" || typeof v === "boolean" || typeof v === "bigint") return String(v);
  return undefined;
}

function textField(fields: Readonly<Record<string, FieldValue>>, name: string, what: string): string {
  const v = fields[name];
  const s = scalarText(v);
  if (s === undefined) throw new FieldProblem(name, `expected ${what} (text, a number or a boolean), got ${show(v)}`);
  return s;
}

/** The record's fields as text for `{field}` placeholders (lists and nulls left out). */
function textFields(fields: Readonly<Record<string, FieldValue>>): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(fields)) {
    const s = scalarText(v);
    if (s !== undefined) out[k] = s;
  }
  return out;
}

/** Fills a pattern, turning an unknown placeholder into a problem on that field. */
function fill(pattern: string, fields: Readonly<Record<string, FieldValue>>, what: string): string {
  const text = textFields(fields);
  for (const m of pattern.matchAll(/\{\{|\}\}|\{([^{}]*)\}/g)) {
    const name = m[1];
    if (name !== undefined && text[name] === undefined) {
      const v = fields[name];
      throw new FieldProblem(name, `${what} uses {${name}} but the record ${v === undefined ? `has no such field (it has ${Object.keys(fields).join(", ")})` : `holds ${show(v)}, not text`}`);
    }
  }
  return fillPattern(pattern, text, what);
}

/** The record's fields with the spec's derived fields added (derived ones win). */
function withDerived(spec: TaskSpec, fields: Readonly<Record<string, FieldValue>>): Record<string, FieldValue> {
  const out: Record<string, FieldValue> = { ...fields };
  for (const [name, d] of Object.entries(spec.derive)) {
    let s = applyTransforms(textField(fields, d.from, `text to derive "${name}" from`), d.apply);
    if (d.map !== undefined) {
      const m = d.map[s];
      if (m === undefined) throw new FieldProblem(d.from, `value ${JSON.stringify(s)} is not among derive.${name}.map's keys (${Object.keys(d.map).map((k) => JSON.stringify(k)).join(", ")})`);
      s = m;
    }
    out[name] = s;
  }
  return out;
}

function goldIndex(spec: TaskSpec, fields: Readonly<Record<string, FieldValue>>, n: number, keys?: readonly string[]): number {
  const f = spec.labelField!;
  const v = textField(fields, f, "a label");
  if (keys !== undefined) {
    const i = keys.indexOf(v);
    if (i < 0) throw new FieldProblem(f, `value ${JSON.stringify(v)} is not one of the ${spec.kind === "classification" ? "verbalizer" : "candidates"} keys ${keys.map((k) => JSON.stringify(k)).join(", ")}`);
    return i;
  }
  const i = /^\s*\d+\s*$/.test(v) ? Number(v) : NaN;
  if (!(i >= 0 && i < n)) throw new FieldProblem(f, `expected the gold candidate's index, an integer in [0, ${n - 1}], got ${JSON.stringify(v)}`);
  return i;
}

function candidateTexts(spec: TaskSpec, fields: Readonly<Record<string, FieldValue>>): string[] {
  const cf = spec.candidatesField!;
  if (typeof cf !== "string") return cf.map((f) => spec.candidatePrefix + textField(fields, f, "a candidate"));
  const v = fields[cf];
  if (!Array.isArray(v) || v.length < 2) throw new FieldProblem(cf, `expected a list of at least two candidates, got ${show(v)}`);
  return v.map((x, i) => {
    const s = scalarText(x);
    if (s === undefined || s === "") throw new FieldProblem(cf, `candidate ${i} must be non-empty text, got ${show(x)}`);
    return spec.candidatePrefix + s;
  });
}

function answersOf(spec: TaskSpec, fields: Readonly<Record<string, FieldValue>>): string[] {
  const f = spec.answerField!;
  const v = fields[f];
  const list = Array.isArray(v) ? v : [v];
  const out = list.map((x) => scalarText(x));
  if (out.length === 0 || out.some((s) => s === undefined || s.trim() === "")) throw new FieldProblem(f, `expected an answer (non-empty text) or a non-empty list of them, got ${show(v)}`);
  return out as string[];
}

/**
 * Checks one parsed row against the spec and returns the usable record, or why it is not usable. The
 * check renders the record once, so every later rendering succeeds.
 */
export function prepareRecord(spec: TaskSpec, row: DataRow, file: string, id: string, override?: TaskTemplate): RawRecord | BadRecord {
  const where = `${file} ${row.where}`;
  try {
    const fields = withDerived(spec, row.fields);
    let label = 0;
    let answers: string[] | undefined;
    if (spec.kind === "classification") label = goldIndex(spec, fields, spec.verbalizer!.length, spec.verbalizer!.map(([k]) => k));
    else if (spec.kind === "multiple-choice") {
      if (spec.candidates !== undefined) label = goldIndex(spec, fields, spec.candidates.length, spec.candidatesKeyed === true ? spec.candidates.map(([k]) => k) : undefined);
      else label = goldIndex(spec, fields, candidateTexts(spec, fields).length);
    } else answers = answersOf(spec, fields);
    const rec: RawRecord = { id, where, fields, label, ...(answers === undefined ? {} : { answers }) };
    renderRecord(spec, rec, override);
    return rec;
  } catch (e) {
    if (e instanceof FieldProblem) return { where, field: e.field, message: e.message };
    if (e instanceof RangeError) return { where, field: "", message: e.message };
    throw e;
  }
}

/** Spaces (not newlines) off both ends, as MeZO's templates leave them. */
function stripSpaces(s: string): string {
  return s.replace(/^ +| +$/g, "");
}

/**
 * The character range of the `truncate` field's text inside a prompt rendered from `template`, when
 * the template uses that field exactly once; else undefined.
 */
function fieldRange(template: string, field: string, fields: Readonly<Record<string, FieldValue>>, prompt: string, raw: string): { start: number; end: number } | undefined {
  const token = `{${field}}`;
  const at = template.indexOf(token);
  if (at < 0 || template.indexOf(token, at + 1) >= 0) return undefined;
  const head = fill(template.slice(0, at), fields, "template");
  const value = fill(token, fields, "template");
  const lead = raw.length - raw.replace(/^ +/, "").length;
  const start = Math.max(0, head.length - lead);
  const end = Math.min(prompt.length, head.length + value.length - lead);
  return end > start ? { start, end } : undefined;
}

/** Renders a checked record into an Example. `override` replaces the template and the candidate patterns. */
export function renderRecord(spec: TaskSpec, r: RawRecord, override?: TaskTemplate): Example {
  const template = override?.template ?? spec.template;
  const raw = fill(template, r.fields, "template");
  const prompt = stripSpaces(raw);
  let candidates: string[];
  if (spec.kind === "classification") candidates = (override?.verbalizer ?? spec.verbalizer!.map(([, t]) => t)).map((p, i) => fill(p, r.fields, `verbalizer[${i}]`));
  else if (spec.kind === "multiple-choice") {
    candidates = spec.candidates !== undefined ? (override?.verbalizer ?? spec.candidates.map(([, t]) => t)).map((p, i) => fill(p, r.fields, `candidates[${i}]`)) : candidateTexts(spec, r.fields);
  } else candidates = [spec.answerPrefix + r.answers![0]! + spec.stop];
  if (candidates.some((c) => c === "")) throw new RangeError(`a candidate renders to empty text`);
  const range = spec.truncate === undefined ? undefined : fieldRange(template, spec.truncate, r.fields, prompt, raw);
  return {
    task: spec.name,
    id: r.id,
    prompt,
    candidates,
    label: r.label,
    objective: spec.objective,
    ...(r.answers === undefined ? {} : { answers: r.answers, generation: { prefix: spec.answerPrefix, stop: spec.stop, maxNewTokens: spec.maxNewTokens } }),
    ...(range === undefined ? {} : { shorten: range }),
  };
}
