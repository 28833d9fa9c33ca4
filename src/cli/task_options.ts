/**
 * Options of multi-task training (`mazo train --tasks`, `mazo experiment`): the methods, split sizes,
 * mask settings and run-folder cadence, resolved and validated from option values.
 */
import { ROW_NORMS, type RowNorm } from "../mask/checks.ts";
import { MASK_DEFAULTS, OTHER_GROUPS, type OtherGroups } from "../mazo/masks.ts";
import { SCORE_DEFAULTS } from "../mazo/scores.ts";
import { MIX_MODES, type MixMode } from "../tasks/mixer.ts";
import { TASK_NAMES } from "../tasks/example.ts";
import { DEFAULT_TASKS, TASK_METHODS, type TaskMethod, type TaskSettings } from "../train/options.ts";

export { TASK_METHODS };
import { numberOption, type OptionSpec, type OptionValues, UsageError } from "./command.ts";

export const TASK_OPTIONS: Readonly<Record<string, OptionSpec>> = {
  tasks: { type: "string", arg: "<list>", description: `comma list of tasks (${TASK_NAMES.join(", ")}); default ${DEFAULT_TASKS.join(",")} when --data is absent` },
  "data-dir": { type: "string", arg: "<dir>", description: "task data folder (default $MAZO_DATA, else ../shared/data)" },
  "train-n": { type: "string", arg: "<N>", default: "200", description: "train examples per task" },
  "dev-n": { type: "string", arg: "<N>", default: "40", description: "dev examples per task (dev loss)" },
  "test-n": { type: "string", arg: "<N>", default: "100", description: "test examples per task (accuracy)" },
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

/** Resolves the multi-task options (UsageError naming the bad one). */
export function resolveTaskSettings(v: OptionValues, method: string): TaskSettings {
  if (!(TASK_METHODS as readonly string[]).includes(method)) throw new UsageError(`--method must be one of ${TASK_METHODS.join(", ")}; got ${JSON.stringify(method)}`);
  const tasks = String(v.tasks ?? DEFAULT_TASKS.join(",")).split(",").map((s) => s.trim()).filter((s) => s !== "");
  for (const t of tasks) if (!(TASK_NAMES as readonly string[]).includes(t)) throw new UsageError(`--tasks: unknown task ${JSON.stringify(t)}; valid: ${TASK_NAMES.join(", ")}`);
  if (tasks.length === 0) throw new UsageError("--tasks needs at least one task");
  if (new Set(tasks).size !== tasks.length) throw new UsageError(`--tasks lists a task twice: ${tasks.join(",")}`);
  const int = (name: string, d: number, min: number) => Math.floor(numberOption(v, name, d, min, 2 ** 31));
  return {
    method: method as TaskMethod,
    tasks,
    sizes: { train: int("train-n", 200, 1), dev: int("dev-n", 40, 1), test: int("test-n", 100, 1) },
    keep: numberOption(v, "keep", MASK_DEFAULTS.keep, 1e-9, 1),
    norm: String(v.norm ?? MASK_DEFAULTS.norm) as RowNorm,
    scoreA: numberOption(v, "score-a", SCORE_DEFAULTS.a, 0, 1e9),
    scoreB: numberOption(v, "score-b", SCORE_DEFAULTS.b, 0, 1e9),
    others: String(v.others ?? MASK_DEFAULTS.others) as OtherGroups,
    calibN: int("calib-n", 32, 1),
    mix: String(v.mix ?? "uniform") as MixMode,
    evalEvery: int("eval-every", 25, 1),
    checkpointEvery: int("checkpoint-every", 25, 0),
    ...(typeof v["data-dir"] === "string" ? { dataDir: v["data-dir"] } : {}),
  };
}
