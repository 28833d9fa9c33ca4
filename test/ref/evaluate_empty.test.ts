// An evaluation over zero test examples is an error naming the task, not "NaN%" with exit 0 (issue 14).
import { suite } from "uvu";
import * as assert from "uvu/assert";
import type { EncodedExample } from "../../src/tasks/encode.ts";
import { evaluateTasks } from "../../src/train/evaluate.ts";
import type { PreparedTask } from "../../src/train/prepared_tasks.ts";

const s = suite("evaluateTasks() on empty splits");
const task = (name: string, test: number): PreparedTask => ({
  name, kind: "classification", objective: "classification", train: [], dev: [],
  test: Array.from({ length: test }, () => ({}) as EncodedExample), skipped: [],
});
s("a task with no test examples is a RangeError naming it; nothing is scored", async () => {
  let scored = 0;
  const score = () => {
    scored++;
    return Promise.resolve([]);
  };
  try {
    await evaluateTasks([task("sst2", 3), task("mytask", 0)], score);
    assert.unreachable("must throw");
  } catch (e) {
    assert.instance(e, RangeError);
    assert.match((e as Error).message, "task mytask has 0 test examples");
  }
  assert.is(scored, 0, "checked before any scoring");
  try {
    await evaluateTasks([], score);
    assert.unreachable("must throw");
  } catch (e) {
    assert.match((e as Error).message, "no tasks to evaluate");
  }
});
s.run();
