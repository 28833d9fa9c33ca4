/**
 * Resolving task references: a built-in name ("sst2") or the path/URL of a task file ("./my-task.json"),
 * and comma lists mixing both ("sst2,./tickets.json").
 */
import { BUILTIN_TASK_FILES } from "./builtin.ts";
import { isTaskName, TASK_NAMES } from "./example.ts";
import { TaskDataError } from "./errors.ts";
import type { ReadText } from "./read_text.ts";
import { parseTaskSpec, type TaskSpec } from "./task_file.ts";

const builtinCache = new Map<string, TaskSpec>();

/** The validated spec of built-in task `name`; an unknown name is a RangeError listing the known ones. */
export function builtinTask(name: string): TaskSpec {
  if (!isTaskName(name)) throw new RangeError(`unknown task ${JSON.stringify(name)}; built-in tasks: ${TASK_NAMES.join(", ")}, or give the path of a task file (.json)`);
  let s = builtinCache.get(name);
  if (s === undefined) {
    s = parseTaskSpec(BUILTIN_TASK_FILES[name], `built-in task ${name} (src/tasks/builtin/${name}.json)`);
    builtinCache.set(name, s);
  }
  return s;
}

/** Whether a task reference names a task file rather than a built-in task. */
export function isTaskFileRef(ref: string): boolean {
  return ref.endsWith(".json") || ref.includes("/") || ref.includes("\\");
}

/** The folder part of a path or URL ("" when it has none: the working directory). */
export function dirOf(path: string): string {
  const i = path.lastIndexOf("/");
  return i < 0 ? "." : i === 0 ? "/" : path.slice(0, i);
}

/** Reads and validates the task file at `path`. */
export async function readTaskFile(path: string, read: ReadText): Promise<TaskSpec> {
  const text = await read(path);
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (e) {
    throw new TaskDataError(path, 0, `expected a task file (JSON), got invalid JSON: ${(e as Error).message}`);
  }
  return parseTaskSpec(json, path);
}

/** Splits a comma list of task references, rejecting empty lists and repeats. */
export function parseTaskList(list: string): string[] {
  const refs = list.split(",").map((s) => s.trim()).filter((s) => s !== "");
  if (refs.length === 0) throw new RangeError(`task list ${JSON.stringify(list)} names no task; built-in tasks: ${TASK_NAMES.join(", ")}, or paths of task files`);
  const seen = new Set<string>();
  for (const r of refs) {
    if (!isTaskFileRef(r)) builtinTask(r);
    if (seen.has(r)) throw new RangeError(`task list ${JSON.stringify(list)} names ${r} twice`);
    seen.add(r);
  }
  return refs;
}
