/**
 * The entry point for task data: resolve a task reference (built-in name, task file path, or a parsed
 * spec), read its pools, sample its splits with a seed and render every record into Examples.
 */
import type { TaskSplits } from "./example.ts";
import { resolveDataDir } from "./data_dir.ts";
import type { FileAccess } from "./data_files.ts";
import { readBytesFile, type ReadBytes } from "./read_bytes.ts";
import { type ReadText, readTextFile } from "./read_text.ts";
import { describeBad, type TaskPools } from "./record.ts";
import { builtinTask, dirOf, isTaskFileRef, readTaskFile } from "./registry.ts";
import { loadSpecPools } from "./pools.ts";
import { renderRecord } from "./render.ts";
import { MEZO_SIZES, sampleSplits } from "./split.ts";
import type { SplitSizes } from "./task.ts";
import type { TaskSpec } from "./task_file.ts";
import { parseTemplate, type TaskTemplate } from "./template.ts";

/** A task: a built-in name, a task file's path or URL, or an already parsed spec with its folder. */
export type TaskRef = string | { readonly spec: TaskSpec; readonly baseDir?: string };

/** Where and how to read task data. */
export interface ReadOptions {
  /** Data directory for `$DATA/` paths; default MAZO_DATA, then `<repo>/../shared/data` (see data_dir.ts). */
  readonly dataDir?: string;
  /** Text reader; default the runtime's (Deno, Node fs, or fetch in a browser). */
  readonly read?: ReadText;
  /** Binary reader (Parquet); default the runtime's. */
  readonly readBytes?: ReadBytes;
  /** Leave unusable records out and report them, instead of stopping (`--skip-bad`). */
  readonly skipBad?: boolean;
}

/** Options of {@link loadTask}. */
export interface LoadTaskOptions extends ReadOptions {
  /** Sampling seed (a task file's own "seed" wins). */
  readonly seed: number;
  /** Requested sizes; missing entries fall back to the task file's, then `fallbackSizes`, then MeZO's 1000/500/1000. */
  readonly sizes?: Partial<SplitSizes>;
  /** Sizes below the task file's own (e.g. a command's defaults). */
  readonly fallbackSizes?: Partial<SplitSizes>;
  /** A template override `{"template": "...", "verbalizer": [...]}`; validated. */
  readonly template?: unknown;
}

/** A task's splits plus what loading it skipped. */
export interface LoadedTask extends TaskSplits {
  readonly spec: TaskSpec;
  /** Records left out with skipBad (each described: file, line, field, problem). */
  readonly skipped: readonly string[];
}

/** The spec and file access of a task reference. */
export async function resolveTask(ref: TaskRef, options: ReadOptions = {}): Promise<{ spec: TaskSpec; access: FileAccess }> {
  const readText = options.read ?? readTextFile;
  let dataDir: Promise<string> | undefined;
  const base = {
    readText,
    readBytes: options.readBytes ?? readBytesFile,
    dataDir: () => (dataDir ??= resolveDataDir(options.dataDir)),
  };
  if (typeof ref !== "string") return { spec: ref.spec, access: { ...base, ...(ref.baseDir === undefined ? {} : { baseDir: ref.baseDir }) } };
  if (!isTaskFileRef(ref)) return { spec: builtinTask(ref), access: base };
  return { spec: await readTaskFile(ref, readText), access: { ...base, baseDir: dirOf(ref) } };
}

/** The spec of a task reference (reads a task file; built-ins need no I/O). */
export async function taskSpec(ref: TaskRef, options: ReadOptions = {}): Promise<TaskSpec> {
  return (await resolveTask(ref, options)).spec;
}

/** Reads the full pools of a task. */
export async function loadPools(ref: TaskRef, options: ReadOptions = {}): Promise<TaskPools> {
  const { spec, access } = await resolveTask(ref, options);
  return (await loadSpecPools(spec, access, options.skipBad === undefined ? {} : { skipBad: options.skipBad })).pools;
}

/** The split sizes a task uses: request, then its task file's, then `fallback`, then MeZO's. */
export function resolveSizes(spec: TaskSpec | string, requested: Partial<SplitSizes> = {}, fallback: Partial<SplitSizes> = {}): SplitSizes {
  const d = (typeof spec === "string" ? builtinTask(spec) : spec).sizes;
  return {
    train: requested.train ?? d.train ?? fallback.train ?? MEZO_SIZES.train,
    dev: requested.dev ?? d.dev ?? fallback.dev ?? MEZO_SIZES.dev,
    test: requested.test ?? d.test ?? fallback.test ?? MEZO_SIZES.test,
  };
}

/**
 * Sizes for a small pool: when dev is a default (neither requested nor in the task file), there is no
 * dev pool, and the train pool cannot hold both the train and dev sizes, dev keeps only its share of
 * the pool, dev / (train + dev) (at least 1), so that the default dev size does not starve train
 * (MeZO's dev-first rule would leave a 45-record pool 5 train examples next to 40 dev).
 */
export function fitDefaultDev(sizes: SplitSizes, devIsDefault: boolean, pools: { readonly train: readonly unknown[]; readonly dev?: readonly unknown[] }): SplitSizes {
  const n = pools.train.length;
  if (!devIsDefault || pools.dev !== undefined || sizes.dev === 0 || n >= sizes.train + sizes.dev) return sizes;
  return { ...sizes, dev: Math.min(sizes.dev, Math.max(1, Math.round((n * sizes.dev) / (sizes.train + sizes.dev)))) };
}

/** The number of candidates a template override must give, or undefined when the task's candidates come from fields. */
function candidateCount(spec: TaskSpec): number | undefined {
  return spec.verbalizer?.length ?? spec.candidates?.length;
}

/** The template a task uses: the validated override, or its own. */
export function resolveTemplate(spec: TaskSpec | string, override?: unknown): TaskTemplate | undefined {
  const s = typeof spec === "string" ? builtinTask(spec) : spec;
  if (override === undefined) return undefined;
  const n = candidateCount(s);
  if (n === undefined) throw new RangeError(`${s.name}: a template override needs a task whose candidates are patterns (classification or multiple-choice with "candidates"); this one is ${s.kind}${s.candidatesField !== undefined ? " with candidates_field" : ""}`);
  return parseTemplate(override, s.name, n);
}

/** Loads one task: its pools, seeded train/dev/test samples (sizes: {@link resolveSizes}, then {@link fitDefaultDev}), rendered into Examples. */
export async function loadTask(ref: TaskRef, options: LoadTaskOptions): Promise<LoadedTask> {
  const { spec, access } = await resolveTask(ref, options);
  const override = resolveTemplate(spec, options.template);
  const loaded = await loadSpecPools(spec, access, { ...(options.skipBad === undefined ? {} : { skipBad: options.skipBad }), ...(override === undefined ? {} : { override }) });
  const sizes = fitDefaultDev(resolveSizes(spec, options.sizes, options.fallbackSizes), options.sizes?.dev === undefined && spec.sizes.dev === undefined, loaded.pools);
  const s = sampleSplits(spec.name, loaded.pools, sizes, spec.seed ?? options.seed);
  const render = (rs: typeof s.train) => rs.map((r) => renderRecord(spec, r, override));
  return { task: spec.name, spec, train: render(s.train), dev: render(s.dev), test: render(s.test), skipped: loaded.skipped.map(describeBad) };
}

/** Loads several tasks with the same options; `templates` overrides per task name. Task names must be distinct. */
export async function loadTasks(refs: readonly TaskRef[], options: Omit<LoadTaskOptions, "template"> & { readonly templates?: Readonly<Record<string, unknown>> }): Promise<LoadedTask[]> {
  const { templates, ...rest } = options;
  const out: LoadedTask[] = [];
  for (const r of refs) {
    const spec = await taskSpec(r, rest);
    if (out.some((t) => t.task === spec.name)) throw new RangeError(`two tasks are named ${JSON.stringify(spec.name)} (${spec.file}); task names must be distinct`);
    const tpl = templates?.[spec.name];
    out.push(await loadTask(typeof r === "string" && isTaskFileRef(r) ? { spec, baseDir: dirOf(r) } : r, tpl === undefined ? rest : { ...rest, template: tpl }));
  }
  for (const k of Object.keys(templates ?? {})) {
    if (!out.some((t) => t.task === k)) throw new RangeError(`template override for ${JSON.stringify(k)}, which is not among the loaded tasks (${out.map((t) => t.task).join(", ")})`);
  }
  return out;
}
