/**
 * The entry point for task data: read a task's pools, sample its splits with a seed and render every
 * record through the (default or overridden) template into Examples.
 */
import type { TaskSplits } from "./example.ts";
import { resolveDataDir } from "./data_dir.ts";
import { type ReadText, readTextFile } from "./read_text.ts";
import type { TaskPools } from "./record.ts";
import { taskDefinition } from "./registry.ts";
import { MEZO_SIZES, sampleSplits } from "./split.ts";
import type { SplitSizes } from "./task.ts";
import { parseTemplate, renderExample, type TaskTemplate } from "./template.ts";

/** Where and how to read task data. */
export interface ReadOptions {
  /** Data directory; default MAZO_DATA, then `<repo>/../shared/data` (see data_dir.ts). */
  readonly dataDir?: string;
  /** File reader; default the runtime's (Deno, Node fs, or fetch in a browser). */
  readonly read?: ReadText;
}

/** Options of {@link loadTask}. */
export interface LoadTaskOptions extends ReadOptions {
  /** Sampling seed. */
  readonly seed: number;
  /** Requested sizes; missing entries fall back to the task's defaults, then MeZO's 1000/500/1000. */
  readonly sizes?: Partial<SplitSizes>;
  /** A template override, e.g. `JSON.parse('{"template": "...", "verbalizer": [...]}')`; validated. */
  readonly template?: unknown;
}

/** Reads the full train and test pools of task `name`. */
export async function loadPools(name: string, options: ReadOptions = {}): Promise<TaskPools> {
  const def = taskDefinition(name);
  const dir = await resolveDataDir(options.dataDir);
  return await def.load(dir, options.read ?? readTextFile);
}

/** The split sizes task `name` uses for a request: request, then the task's defaults, then MeZO's. */
export function resolveSizes(name: string, requested: Partial<SplitSizes> = {}): SplitSizes {
  const d = taskDefinition(name).defaultSizes ?? {};
  return {
    train: requested.train ?? d.train ?? MEZO_SIZES.train,
    dev: requested.dev ?? d.dev ?? MEZO_SIZES.dev,
    test: requested.test ?? d.test ?? MEZO_SIZES.test,
  };
}

/** The template task `name` uses: the validated override, or its default. */
export function resolveTemplate(name: string, override?: unknown): TaskTemplate {
  const def = taskDefinition(name);
  return override === undefined ? def.template : parseTemplate(override, def.name, def.labels.length);
}

/** Loads task `name`: its pools, seeded train/dev/test samples, rendered into Examples. */
export async function loadTask(name: string, options: LoadTaskOptions): Promise<TaskSplits> {
  const def = taskDefinition(name);
  const tpl = resolveTemplate(name, options.template);
  const pools = await loadPools(name, options);
  const s = sampleSplits(def.name, pools, resolveSizes(name, options.sizes), options.seed);
  const render = (rs: typeof s.train) => rs.map((r) => renderExample(def.name, r, tpl));
  return { task: def.name, train: render(s.train), dev: render(s.dev), test: render(s.test) };
}

/** Loads several tasks with the same options; `templates` overrides per task name. */
export async function loadTasks(names: readonly string[], options: Omit<LoadTaskOptions, "template"> & { readonly templates?: Readonly<Record<string, unknown>> }): Promise<TaskSplits[]> {
  const { templates, ...rest } = options;
  for (const k of Object.keys(templates ?? {})) {
    if (!names.includes(k)) throw new RangeError(`template override for ${JSON.stringify(k)}, which is not among the loaded tasks (${names.join(", ")})`);
  }
  const out: TaskSplits[] = [];
  for (const n of names) {
    const tpl = templates?.[n];
    out.push(await loadTask(n, tpl === undefined ? rest : { ...rest, template: tpl }));
  }
  return out;
}
