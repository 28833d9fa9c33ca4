/**
 * Reads a task file's data into pools: every file of every split read and parsed, each record checked
 * ({@link prepareRecord}), one-file data split by its rule. Unusable records are never dropped silently:
 * the load stops with their count and the first few (BadRecordsError), or, with `skipBad`, they are left
 * out and returned so that the caller reports how many.
 */
import { defaultIdPrefix, type FileAccess, readDataFile } from "./data_files.ts";
import { TaskDataError } from "./errors.ts";
import { prepareRecord, scalarText } from "./render.ts";
import { type BadRecord, describeBad, type RawRecord, type TaskPools } from "./record.ts";
import { carvePools, POOL_CARVE_SEED } from "./split.ts";
import { deriveSeed, SeededRng, shuffled } from "./rng.ts";
import type { DataFile, SplitRule, TaskSpec } from "./task_file.ts";
import type { TaskTemplate } from "./template.ts";

/** How many bad records an error message shows. */
export const BAD_SHOWN = 5;

/** Unusable records in a task's data, with the first few spelled out. */
export class BadRecordsError extends TaskDataError {
  readonly bad: readonly BadRecord[];
  constructor(task: string, taskFile: string, bad: readonly BadRecord[]) {
    super(
      taskFile,
      0,
      `task ${task}: ${bad.length} record${bad.length === 1 ? "" : "s"} cannot be used (fix the data, or pass --skip-bad to leave them out); ` +
        `first ${Math.min(BAD_SHOWN, bad.length)}:\n  ${bad.slice(0, BAD_SHOWN).map(describeBad).join("\n  ")}`,
    );
    this.bad = bad;
  }
}

/** Pools plus the records left out with skipBad. */
export interface LoadedPools {
  readonly pools: TaskPools;
  readonly skipped: readonly BadRecord[];
}

export interface PoolOptions {
  /** Leave unusable records out (and report them) instead of stopping. */
  readonly skipBad?: boolean;
  /** Template override, checked on every record. */
  readonly override?: TaskTemplate;
}

async function readRecords(spec: TaskSpec, f: DataFile, access: FileAccess, o: PoolOptions, bad: BadRecord[]): Promise<{ file: string; records: RawRecord[] }> {
  const file = await readDataFile(f, access, spec.file);
  for (const b of file.bad) bad.push({ where: `${file.path} ${b.where}`, field: "", message: b.message });
  const prefix = f.id ?? defaultIdPrefix(f.path);
  const records: RawRecord[] = [];
  for (const row of file.rows) {
    let key = String(row.index);
    if (f.idField !== undefined) {
      const v = scalarText(row.fields[f.idField]);
      if (v === undefined) {
        bad.push({ where: `${file.path} ${row.where}`, field: f.idField, message: `expected the record's id (id_field), got ${JSON.stringify(row.fields[f.idField] ?? null)}` });
        continue;
      }
      key = v;
    }
    const r = prepareRecord(spec, row, file.path, `${prefix}:${key}`, o.override);
    if ("id" in r) records.push(r);
    else bad.push(r);
  }
  return { file: file.path, records };
}

function count(n: number, total: number): number {
  return n < 1 ? Math.round(n * total) : n;
}

function splitByRule(spec: TaskSpec, rule: SplitRule, records: readonly RawRecord[], file: string, bad: BadRecord[]): { train: RawRecord[]; dev: RawRecord[]; test: RawRecord[] } {
  if (rule.rule === "head") {
    if (rule.train > records.length) throw new TaskDataError(file, 0, `split rule "head" wants ${rule.train} train records but the file has ${records.length} usable ones`);
    return { train: records.slice(0, rule.train), dev: [], test: records.slice(rule.train) };
  }
  if (rule.rule === "field") {
    const out = { train: [] as RawRecord[], dev: [] as RawRecord[], test: [] as RawRecord[] };
    const v = rule.values;
    for (const r of records) {
      const s = scalarText(r.fields[rule.field]);
      if (s === v.train) out.train.push(r);
      else if (s === v.dev) out.dev.push(r);
      else if (s === v.test) out.test.push(r);
      else bad.push({ where: r.where, field: rule.field, message: `expected the split name ${JSON.stringify(v.train)}, ${JSON.stringify(v.dev)} or ${JSON.stringify(v.test)}, got ${JSON.stringify(r.fields[rule.field] ?? null)}` });
    }
    return out;
  }
  const nTest = count(rule.test, records.length);
  if (nTest > records.length) throw new TaskDataError(file, 0, `split rule "random" wants ${nTest} test records but the file has ${records.length} usable ones`);
  const carved = carvePools(spec.name, records, nTest);
  if (rule.dev === undefined) return { train: [...carved.train], dev: [], test: [...carved.test] };
  const nDev = count(rule.dev, records.length);
  if (nDev > carved.train.length) throw new TaskDataError(file, 0, `split rule "random" wants ${nDev} dev records but only ${carved.train.length} remain after the test pool`);
  const order = shuffled(carved.train.map((_, i) => i), new SeededRng(deriveSeed(POOL_CARVE_SEED, spec.name, "carve-dev")));
  const isDev = new Uint8Array(carved.train.length);
  for (const i of order.slice(0, nDev)) isDev[i] = 1;
  return { train: carved.train.filter((_, i) => isDev[i] === 0), dev: carved.train.filter((_, i) => isDev[i] === 1), test: [...carved.test] };
}

/** Reads every file of `spec` into pools (see the module comment for bad records). */
export async function loadSpecPools(spec: TaskSpec, access: FileAccess, o: PoolOptions = {}): Promise<LoadedPools> {
  const bad: BadRecord[] = [];
  const read = async (fs: readonly DataFile[]) => {
    const out: RawRecord[] = [];
    for (const f of fs) out.push(...(await readRecords(spec, f, access, o, bad)).records);
    return out;
  };
  const train = await read(spec.data.train);
  const dev = await read(spec.data.dev);
  const test = await read(spec.data.test);
  const stop = () => {
    if (bad.length > 0 && o.skipBad !== true) throw new BadRecordsError(spec.name, spec.file, bad);
  };
  if (spec.data.file !== undefined) {
    const one = await readRecords(spec, spec.data.file, access, o, bad);
    stop();
    const s = splitByRule(spec, spec.data.split!, one.records, one.file, bad);
    train.push(...s.train);
    dev.push(...s.dev);
    test.push(...s.test);
  }
  stop();
  const ids = new Set<string>();
  for (const r of [...train, ...dev, ...test]) {
    if (ids.has(r.id)) throw new TaskDataError(spec.file, 0, `task ${spec.name}: two records share the id ${JSON.stringify(r.id)} (${r.where}); give the files distinct "id" prefixes or a unique "id_field"`);
    ids.add(r.id);
  }
  if (train.length === 0) throw new TaskDataError(spec.file, 0, `task ${spec.name}: no usable train records`);
  if (test.length === 0) throw new TaskDataError(spec.file, 0, `task ${spec.name}: no usable test records`);
  return { pools: { train, ...(dev.length > 0 ? { dev } : {}), test }, skipped: bad };
}
