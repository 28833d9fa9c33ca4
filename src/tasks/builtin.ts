/**
 * The built-in tasks: task files shipped with mazo (src/tasks/builtin/*.json, bundled as JSON) and read
 * by the same code path as a user's. Their data paths start with `$DATA/` (the shared data directory).
 */
import agnews from "./builtin/agnews.json" with { type: "json" };
import boolq from "./builtin/boolq.json" with { type: "json" };
import cb from "./builtin/cb.json" with { type: "json" };
import copa from "./builtin/copa.json" with { type: "json" };
import rte from "./builtin/rte.json" with { type: "json" };
import sst2 from "./builtin/sst2.json" with { type: "json" };
import trec from "./builtin/trec.json" with { type: "json" };
import wic from "./builtin/wic.json" with { type: "json" };
import type { TaskName } from "./example.ts";

/** The built-in task files as parsed JSON, by name (validated when used). */
export const BUILTIN_TASK_FILES: Readonly<Record<TaskName, unknown>> = { sst2, trec, boolq, rte, cb, copa, wic, agnews };
