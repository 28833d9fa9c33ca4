// CPU parts of the ZO engine: probe seeds, learning-rate schedules, trajectory lines (torn tails), text
// data and deterministic batches.
import { suite } from "uvu";
import * as assert from "uvu/assert";
import { Batcher, encodeTexts, lmSequences, parseTextJsonl } from "../../src/zo/losses.ts";
import { checkSchedule, lrAt } from "../../src/zo/schedule.ts";
import { probeSeed } from "../../src/zo/seeds.ts";
import type { StepRecord } from "../../src/zo/trainer.ts";
import { headerLine, parseTrajectory, stepLine } from "../../src/zo/trajectory.ts";

const seeds = suite("probeSeed()");
seeds("is a deterministic u32 that changes with the run seed, the step and the probe", () => {
  const all = new Set<number>();
  for (const run of [0, 1, 2 ** 32 - 1]) for (let step = 0; step < 50; step++) for (let j = 0; j < 4; j++) all.add(probeSeed(run, step, j));
  assert.is(all.size, 3 * 50 * 4);
  assert.is(probeSeed(5, 6, 7), probeSeed(5, 6, 7));
  for (const x of all) assert.ok(Number.isInteger(x) && x >= 0 && x < 2 ** 32);
  assert.throws(() => probeSeed(-1, 0, 0), /run seed must be an integer/);
});
seeds.run();

const sch = suite("lrAt()");
sch("constant, linear and cosine schedules with warmup hit their end points", () => {
  assert.is(lrAt({ kind: "constant", lr: 0.1 }, 1000), 0.1);
  const lin = { kind: "linear", lr: 1, warmup: 4, totalSteps: 14 } as const;
  assert.is(lrAt(lin, 0), 0.2);
  assert.is(lrAt(lin, 3), 0.8);
  assert.is(lrAt(lin, 4), 1);
  assert.ok(Math.abs(lrAt(lin, 9) - 0.5) < 1e-12);
  assert.is(lrAt(lin, 14), 0);
  const cos = { kind: "cosine", lr: 2, totalSteps: 10, minLr: 0.5 } as const;
  assert.is(lrAt(cos, 0), 2);
  assert.ok(Math.abs(lrAt(cos, 5) - 1.25) < 1e-12);
  assert.ok(Math.abs(lrAt(cos, 10) - 0.5) < 1e-12);
  assert.throws(() => checkSchedule({ kind: "cosine", lr: 1 }), /needs totalSteps/);
});
sch.run();

const record = (step: number, g = 1.5): StepRecord => ({
  step, seeds: [123 + step], g: [g], lossPlus: [2], lossMinus: [1.9], lr: 1e-4, eps: 1e-3, wd: 0, loss: 1.95,
  updates: [{ seed: 123 + step, coef: 1e-4 * g, decay: 0 }], skipped: false, ms: 12,
});
const header = headerLine({ method: "mezo", scope: { kind: "full", exact: false }, model: { hash: "00", params: 1, config: {} as never }, trainer: { seed: 1 } });

const tr = suite("parseTrajectory()");
tr("round-trips steps, writing non-finite g as null and reading it back as NaN", () => {
  const t = parseTrajectory(header + stepLine(record(0)) + stepLine({ ...record(1, NaN), updates: [], skipped: true, reason: "nan" }));
  assert.is(t.steps.length, 2);
  assert.equal(t.steps[0]!.updates, record(0).updates);
  assert.ok(Number.isNaN(t.steps[1]!.g[0]!));
  assert.is(t.steps[1]!.skipped, true);
  assert.is(t.tornTail, false);
  assert.is(t.header.method, "mezo");
});
tr("drops a torn (unterminated, unparseable) last line and reports it", () => {
  const full = header + stepLine(record(0)) + stepLine(record(1));
  const torn = full + stepLine(record(2)).slice(0, 40);
  const t = parseTrajectory(torn);
  assert.is(t.steps.length, 2);
  assert.is(t.tornTail, true);
});
tr("rejects a damaged line in the middle, a missing header and non-consecutive steps", () => {
  assert.throws(() => parseTrajectory(header + '{"step": 0, "se\n' + stepLine(record(1))), /:2: not valid JSON/);
  assert.throws(() => parseTrajectory(stepLine(record(0))), /first line must be the header/);
  assert.throws(() => parseTrajectory(header + stepLine(record(0)) + stepLine(record(2))), /expected 1/);
});
tr.run();

const data = suite("text data and batches");
data("parseTextJsonl() reads text fields and names a bad line", () => {
  assert.equal(parseTextJsonl('{"text":"a"}\n\n{"text":"b c"}\n'), ["a", "b c"]);
  assert.throws(() => parseTextJsonl('{"text":"a"}\n{"txt":1}\n', "d.jsonl"), /d\.jsonl:2: expected an object with a string "text"/);
});
data("encodeTexts() puts BOS first, truncates and drops texts without a target", () => {
  const tok = { bosId: 1, encode: (t: string) => Int32Array.from(t.split(" ").filter((x) => x !== ""), (w) => w.length + 2) };
  const ex = encodeTexts(["aa bbb c", "", "dddd eeeee ffffff ggg"], tok, 3);
  assert.equal(ex, [[1, 4, 5], [1, 6, 7]]);
  const [s0] = lmSequences(ex);
  assert.equal(s0!.targets, [4, 5, -1]);
});
data("Batcher visits every example once per epoch in a seeded order", () => {
  const b = new Batcher([0, 1, 2, 3, 4, 5, 6], 3, 9);
  const epoch = [...b.at(0), ...b.at(1), ...b.at(2)].slice(0, 7).sort();
  assert.equal(epoch, [0, 1, 2, 3, 4, 5, 6]);
  assert.equal(new Batcher([0, 1, 2, 3, 4, 5, 6], 3, 9).at(5), b.at(5));
  assert.not.equal(new Batcher([0, 1, 2, 3, 4, 5, 6], 3, 10).at(0), b.at(0));
});
data.run();
