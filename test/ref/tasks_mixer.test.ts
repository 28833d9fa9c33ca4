/** The multi-task batch sampler: proportions per mode, epochs without replacement, determinism. */
import { suite } from "uvu";
import * as assert from "uvu/assert";
import { TaskMixer } from "../../src/tasks/mixer.ts";

interface Item {
  task: string;
  i: number;
}
const set = (task: string, n: number) => ({ task, train: Array.from({ length: n }, (_, i): Item => ({ task, i })) });
const SETS = [set("small", 10), set("mid", 100), set("big", 1000)];

function shares(m: TaskMixer<Item>, batches: number): Record<string, number> {
  const c: Record<string, number> = { small: 0, mid: 0, big: 0 };
  let n = 0;
  for (const b of m.batches(batches)) for (const x of b) (c[x.task]!++, n++);
  for (const k of Object.keys(c)) c[k]! /= n;
  return c;
}

const modes = suite("TaskMixer modes");
// 6000 draws: a share's binomial sd is at most 0.0065, so 0.03 is more than 4 sd.
modes("uniform picks each task about a third of the time, whatever its size", () => {
  const s = shares(new TaskMixer(SETS, { batchSize: 16, seed: 1 }), 375);
  for (const k of ["small", "mid", "big"]) assert.ok(Math.abs(s[k]! - 1 / 3) < 0.03, `${k} share ${s[k]}`);
});
modes("proportional picks tasks in proportion to train size (10:100:1000)", () => {
  const m = new TaskMixer(SETS, { batchSize: 16, seed: 2, mode: "proportional" });
  assert.equal(m.weights.map((w) => w * 1110), [10, 100, 1000].map((x) => (x / 1110) * 1110));
  const s = shares(m, 375);
  assert.ok(Math.abs(s.small! - 10 / 1110) < 0.01, `small ${s.small}`);
  assert.ok(Math.abs(s.mid! - 100 / 1110) < 0.02, `mid ${s.mid}`);
  assert.ok(Math.abs(s.big! - 1000 / 1110) < 0.03, `big ${s.big}`);
});
modes("round-robin cycles through the tasks in order, slot by slot", () => {
  const m = new TaskMixer(SETS, { batchSize: 4, seed: 3, mode: "round-robin" });
  const tasks = [...m.batches(3)].flat().map((x) => x.task);
  assert.equal(tasks, ["small", "mid", "big", "small", "mid", "big", "small", "mid", "big", "small", "mid", "big"]);
});
modes("granularity 'batch' draws every batch from a single task", () => {
  const m = new TaskMixer(SETS, { batchSize: 8, seed: 4, granularity: "batch", mode: "round-robin" });
  const bs = [...m.batches(6)];
  assert.equal(bs.map((b) => b[0]!.task), ["small", "mid", "big", "small", "mid", "big"]);
  for (const b of bs) assert.ok(b.every((x) => x.task === b[0]!.task));
});
modes.run();

const draws = suite("TaskMixer draws");
draws("each epoch of a task visits every example once before any repeats", () => {
  const m = new TaskMixer([set("only", 7)], { batchSize: 3, seed: 5 });
  const seq = [...m.batches(7)].flat().map((x) => x.i);
  for (let e = 0; e < 3; e++) assert.equal(seq.slice(7 * e, 7 * e + 7).sort(), [0, 1, 2, 3, 4, 5, 6], `epoch ${e}`);
  assert.not.equal(seq.slice(0, 7), seq.slice(7, 14));
});
draws("the same seed gives the same batches and another seed different ones", () => {
  const run = (seed: number) => [...new TaskMixer(SETS, { batchSize: 8, seed }).batches(20)].flat().map((x) => `${x.task}:${x.i}`);
  assert.equal(run(9), run(9));
  assert.not.equal(run(9), run(10));
});
draws("bad options are rejected with the offending value", () => {
  assert.throws(() => new TaskMixer(SETS, { batchSize: 0, seed: 1 }), /batchSize must be a positive integer, got 0/);
  assert.throws(() => new TaskMixer([], { batchSize: 1, seed: 1 }), /at least one task/);
  assert.throws(() => new TaskMixer([set("empty", 0)], { batchSize: 1, seed: 1 }), /task empty has no train examples/);
  assert.throws(() => new TaskMixer(SETS, { batchSize: 1, seed: 1, mode: "zipf" as never }), /mix mode must be one of uniform, proportional, round-robin, got "zipf"/);
});
draws.run();
