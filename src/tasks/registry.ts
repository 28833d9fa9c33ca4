/** The table of known tasks, by name. */
import { agnews } from "./agnews.ts";
import { boolq } from "./boolq.ts";
import { copa } from "./copa.ts";
import { isTaskName, TASK_NAMES, type TaskName } from "./example.ts";
import { sst2 } from "./sst2.ts";
import { cb, rte } from "./superglue_nli.ts";
import type { TaskDefinition } from "./task.ts";
import { trec } from "./trec.ts";
import { wic } from "./wic.ts";

/** Every task definition, keyed by name. */
export const TASKS: Readonly<Record<TaskName, TaskDefinition>> = { sst2, trec, boolq, rte, cb, copa, wic, agnews };

/** The definition of task `name`; an unknown name is a RangeError listing the known ones. */
export function taskDefinition(name: string): TaskDefinition {
  if (!isTaskName(name)) throw new RangeError(`unknown task ${JSON.stringify(name)}; known tasks: ${TASK_NAMES.join(", ")}`);
  return TASKS[name];
}

/** Parses a comma-separated task list ("sst2,trec,copa"), rejecting unknown and repeated names. */
export function parseTaskList(list: string): TaskName[] {
  const names = list.split(",").map((s) => s.trim()).filter((s) => s !== "");
  if (names.length === 0) throw new RangeError(`task list ${JSON.stringify(list)} names no task; known tasks: ${TASK_NAMES.join(", ")}`);
  const out: TaskName[] = [];
  for (const n of names) {
    const def = taskDefinition(n);
    if (out.includes(def.name)) throw new RangeError(`task list ${JSON.stringify(list)} names ${n} twice`);
    out.push(def.name);
  }
  return out;
}
