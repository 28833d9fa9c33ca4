/**
 * Options of multi-task training (`mazo train --tasks`, `mazo experiment`): the methods, split sizes,
 * mask settings and run-folder cadence, resolved and validated from option values.
 */
import { ROW_NORMS, type RowNorm } from "../mask/checks.ts";
import { MASK_DEFAULTS, OTHER_GROUPS, type OtherGroups } from "../mazo/masks.ts";
import { SCORE_DEFAULTS } from "../mazo/scores.ts";
import { resolve } from "node:path";
import { MIX_MODES, type MixMode } from "../tasks/mixer.ts";
import { TASK_NAMES } from "../tasks/example.ts";
import { taskSpec } from "../tasks/load.ts";
import { isTaskFileRef } from "../tasks/registry.ts";
import type { SplitSizes } from "../tasks/task.ts";
import { DEFAULT_TASK_SIZES, DEFAULT_TASKS, TASK_METHODS, type TaskMethod, type TaskSettings } from "../train/options.ts";

export { TASK_METHODS };
import { numberOption, type OptionSpec, type OptionValues, UsageError } from "./command.ts";

export const TASK_OPTIONS: Readonly<Record<string, OptionSpec>> = {
  tasks: { type: "string", arg: "<list>", description: `comma list of built-in tasks (${TASK_NAMES.join(", ")}) and task files (./my-task.json, docs/tasks.md); default ${DEFAULT_TASKS.join(",")} when --data is absent` },
  "data-dir": { type: "string", arg: "<dir>", description: "task data folder (default $MAZO_DATA, else ../shared/data)" },
  "train-n": { type: "string", arg: "<N>", description: `train examples per task (default: the task file's "sizes", else ${DEFAULT_TASK_SIZES.train})` },
  "dev-n": { type: "string", arg: "<N>", description: `dev examples per task, for the dev loss (default: the task file's "sizes", else ${DEFAULT_TASK_SIZES.dev})` },
  "test-n": { type: "string", arg: "<N>", description: `test examples per task, for accuracy or EM/F1 (default: the task file's "sizes", else ${DEFAULT_TASK_SIZES.test})` },
  "skip-bad": { type: "boolean", default: false, description: "leave task records that cannot be used out (and report how many) instead of stopping" },
  keep: { type: "string", arg: "<ratio>", default: String(MASK_DEFAULTS.keep), description: "masked methods: fraction of each weight row trained" },
  norm: { type: "string", arg: "<mode>", choices: ROW_NORMS, default: MASK_DEFAULTS.norm, description: "mazo: per-row normalisation of each task's scores" },
  "score-a": { type: "string", arg: "<a>", default: String(SCORE_DEFAULTS.a), description: "mazo: weight of S_greedy in S = S_global + a S_greedy + b |W|" },
  "score-b": { type: "string", arg: "<b>", default: String(SCORE_DEFAULTS.b), description: "mazo: weight of |W| in the score" },
  others: { type: "string", arg: "<mode>", choices: OTHER_GROUPS, default: MASK_DEFAULTS.others, description: "masked methods: embeddings and norms frozen, fully trained, or masked by |W|" },
  "calib-n": { type: "string", arg: "<N>", default: "32", description: "mazo: calibration examples per task" },
  mix: { type: "string", arg: "<mode>", choices: MIX_MODES, default: "uniform", description: "how batches mix tasks" },
  "eval-every": { type: "string", arg: "<N>", default: "25", description: "steps between dev-loss evaluations (the convergence curve)" },
  "checkpoint-every": { type: "string", arg: "<N>", default: "25", description: "steps between checkpoints (0: none)" },
  resume: { type: "string", arg: "<dir>", description: "continue the run in this folder from its last checkpoint" },
};

/**
 * The task references of a --tasks list: built-in names checked (UsageError listing the valid ones),
 * task-file paths made absolute (so config.json, --resume and eval --run find them from any folder).
 */
export function resolveTaskList(list: string): string[] {
  const refs = list.split(",").map((s) => s.trim()).filter((s) => s !== "");
  if (refs.length === 0) throw new UsageError(`--tasks needs at least one task (built-in: ${TASK_NAMES.join(", ")}, or the path of a task file)`);
  const out = refs.map((r) => {
    if (isTaskFileRef(r)) return /^[a-z][a-z0-9+.-]*:\/\//i.test(r) ? r : resolve(r);
    if (!(TASK_NAMES as readonly string[]).includes(r)) throw new UsageError(`--tasks: unknown task ${JSON.stringify(r)}; valid: ${TASK_NAMES.join(", ")}, or the path of a task file (ending in .json)`);
    return r;
  });
  if (new Set(out).size !== out.length) throw new UsageError(`--tasks lists a task twice: ${refs.join(",")}`);
  return out;
}

/** The split sizes given by flags (the others come from the task files, then the defaults). */
export function requestedSizes(v: OptionValues): Partial<SplitSizes> {
  const out: { -readonly [K in keyof SplitSizes]?: number } = {};
  for (const [k, flag, min] of [["train", "train-n", 1], ["dev", "dev-n", 0], ["test", "test-n", 1]] as const) {
    if (v[flag] !== undefined) out[k] = Math.floor(numberOption(v, flag, 0, min, 2 ** 31));
  }
  return out;
}

/** Resolves the multi-task options (UsageError naming the bad one). */
export function resolveTaskSettings(v: OptionValues, method: string): TaskSettings {
  if (!(TASK_METHODS as readonly string[]).includes(method)) throw new UsageError(`--method must be one of ${TASK_METHODS.join(", ")}; got ${JSON.stringify(method)}`);
  const tasks = resolveTaskList(String(v.tasks ?? DEFAULT_TASKS.join(",")));
  const int = (name: string, d: number, min: number) => Math.floor(numberOption(v, name, d, min, 2 ** 31));
  return {
    method: method as TaskMethod,
    tasks,
    sizes: requestedSizes(v),
    defaultSizes: DEFAULT_TASK_SIZES,
    keep: numberOption(v, "keep", MASK_DEFAULTS.keep, 1e-9, 1),
    norm: String(v.norm ?? MASK_DEFAULTS.norm) as RowNorm,
    scoreA: numberOption(v, "score-a", SCORE_DEFAULTS.a, 0, 1e9),
    scoreB: numberOption(v, "score-b", SCORE_DEFAULTS.b, 0, 1e9),
    others: String(v.others ?? MASK_DEFAULTS.others) as OtherGroups,
    calibN: int("calib-n", 32, 1),
    mix: String(v.mix ?? "uniform") as MixMode,
    evalEvery: int("eval-every", 25, 1),
    checkpointEvery: int("checkpoint-every", 25, 0),
    skipBad: v["skip-bad"] === true,
    ...(typeof v["data-dir"] === "string" ? { dataDir: v["data-dir"] } : {}),
  };
}

/**
 * Reads and validates the task files of a task list before any model or GPU work, so that a broken
 * task file fails at once (TaskFileError naming the file, the field, the value and what was expected).
 * Returns the task names in order.
 */
export async function checkTaskFiles(tasks: readonly string[]): Promise<string[]> {
  const names: string[] = [];
  for (const t of tasks) {
    const spec = await taskSpec(t);
    if (names.includes(spec.name)) throw new UsageError(`--tasks: two tasks are named ${JSON.stringify(spec.name)} (${t}); task names must be distinct`);
    names.push(spec.name);
  }
  return names;
}
