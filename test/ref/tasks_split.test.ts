/** Seeded train/dev/test sampling: sizes, disjointness, determinism pinned across runtimes. */
import { suite } from "uvu";
import * as assert from "uvu/assert";
import { TASK_NAMES } from "../../src/tasks/example.ts";
import { loadPools, loadTask, loadTasks, resolveSizes } from "../../src/tasks/load.ts";
import type { RawRecord } from "../../src/tasks/record.ts";
import { deriveSeed, SeededRng } from "../../src/tasks/rng.ts";
import { carvePools, sampleSplits } from "../../src/tasks/split.ts";

const det = suite("sampling determinism");
det("deriveSeed and SeededRng give pinned values (the same on Deno and Node)", () => {
  assert.equal([deriveSeed(0), deriveSeed(42, "sst2", "train"), deriveSeed(-1, "x"), deriveSeed(2 ** 40 + 3, "a")], [2872998923, 3672525066, 794621484, 1607057197]);
  const r = new SeededRng(12345);
  assert.equal([r.u32(), r.u32(), r.u32()], [4207900869, 1317490944, 2079646450]);
});
det("seed 42 samples pinned example ids for sst2, agnews and copa", async () => {
  const want: Record<string, string[][]> = {
    sst2: [["train:5751", "train:1600", "train:4302", "train:3430", "train:548"], ["train:2487", "train:2039", "train:451"], ["dev:299", "dev:96", "dev:606"]],
    agnews: [["test:4839", "test:6662", "test:345", "test:1484", "test:924"], ["test:5275", "test:3219", "test:897"], ["test:6345", "test:2969", "test:4497"]],
    copa: [["copa:99", "copa:135", "copa:26", "copa:117", "copa:376"], ["copa:1", "copa:270", "copa:100"], ["copa:497", "copa:407", "copa:459"]],
  };
  for (const [t, w] of Object.entries(want)) {
    const s = await loadTask(t, { seed: 42, sizes: { train: 5, dev: 3, test: 3 } });
    assert.equal([s.train.map((e) => e.id), s.dev.map((e) => e.id), s.test.map((e) => e.id)], w, t);
  }
});
det("the same seed gives identical splits and another seed different ones", async () => {
  const a = await loadTask("trec", { seed: 7, sizes: { train: 50, dev: 20, test: 20 } });
  const b = await loadTask("trec", { seed: 7, sizes: { train: 50, dev: 20, test: 20 } });
  const c = await loadTask("trec", { seed: 8, sizes: { train: 50, dev: 20, test: 20 } });
  assert.equal(a, b);
  assert.not.equal(a.train.map((e) => e.id), c.train.map((e) => e.id));
  assert.not.equal(a.test.map((e) => e.id), c.test.map((e) => e.id));
});
det("a task's sample does not depend on which other tasks are loaded", async () => {
  const [, trecWithSst] = await loadTasks(["sst2", "trec"], { seed: 5, sizes: { train: 10, dev: 5, test: 5 } });
  const trecAlone = await loadTask("trec", { seed: 5, sizes: { train: 10, dev: 5, test: 5 } });
  assert.equal(trecWithSst, trecAlone);
});
det.run();

const sizes = suite("split sizes and disjointness");
const table: Record<string, [number, number, number]> = {
  sst2: [1000, 500, 872], trec: [1000, 500, 500], boolq: [1000, 500, 1000], rte: [1000, 500, 277],
  cb: [150, 100, 56], copa: [300, 100, 100], wic: [1000, 500, 638], agnews: [1000, 500, 1000],
};
for (const t of TASK_NAMES) {
  sizes(`${t} at MeZO's default sizes gives ${table[t]!.join("/")} train/dev/test, disjoint`, async () => {
    const s = await loadTask(t, { seed: 0 });
    assert.equal([s.train.length, s.dev.length, s.test.length], table[t]);
    const trainIds = new Set(s.train.map((e) => e.id));
    for (const e of s.dev) assert.not.ok(trainIds.has(e.id), `${e.id} in train and dev`);
    const pools = await loadPools(t);
    const testPool = new Set(pools.test.map((r) => r.id));
    for (const e of s.test) assert.ok(testPool.has(e.id), `${e.id} not from the test pool`);
    for (const e of [...s.train, ...s.dev]) assert.not.ok(testPool.has(e.id), `${e.id} from the test pool`);
  });
}
sizes("task defaults: dev 100 for cb and copa, MeZO's 1000/500/1000 elsewhere, requests override", () => {
  assert.equal(resolveSizes("cb"), { train: 1000, dev: 100, test: 1000 });
  assert.equal(resolveSizes("copa", { dev: 50 }), { train: 1000, dev: 50, test: 1000 });
  assert.equal(resolveSizes("sst2", { train: 16 }), { train: 16, dev: 500, test: 1000 });
});
const recs = (n: number, tag: string): RawRecord[] => Array.from({ length: n }, (_, i) => ({ id: `${tag}:${i}`, where: "", fields: {}, label: 0 }));
sizes("a small pool fills dev first and gives train the rest", () => {
  const s = sampleSplits("t", { train: recs(30, "a"), test: recs(4, "b") }, { train: 100, dev: 10, test: 10 }, 1);
  assert.equal([s.train.length, s.dev.length, s.test.length], [20, 10, 4]);
  assert.is(new Set([...s.train, ...s.dev].map((r) => r.id)).size, 30);
});
sizes("negative or fractional sizes are rejected", () => {
  assert.throws(() => sampleSplits("t", { train: recs(3, "a"), test: [] }, { train: -1, dev: 0, test: 0 }, 1), /train must be a non-negative integer, got -1/);
  assert.throws(() => sampleSplits("t", { train: recs(3, "a"), test: [] }, { train: 1, dev: 0.5, test: 0 }, 1), /dev must be a non-negative integer/);
});
sizes("carvePools is fixed (independent of any sampling seed), exact in size and a partition", () => {
  const all = recs(50, "r");
  const a = carvePools("x", all, 12);
  const b = carvePools("x", all, 12);
  assert.equal(a, b);
  assert.is(a.test.length, 12);
  assert.is(a.train.length, 38);
  assert.is(new Set([...a.train, ...a.test].map((r) => r.id)).size, 50);
  assert.throws(() => carvePools("x", all, 51), /cannot carve a test pool of 51 from 50/);
});
sizes.run();
