// Collapse detection (issue 14): lr 1000 with eps 1 saturates stories260K so that L+ = L- exactly and
// every projected gradient is 0, while nothing is NaN. fineTune must stop with a CollapseError naming
// the streak, rewind checkpoint.json to the last checkpoint before it, and leave a healthy run alone.
import { suite } from "uvu";
import * as assert from "uvu/assert";
import { CollapseError, CollapseWatch } from "../../src/train/collapse.ts";
import { fineTune } from "../../src/train/fine_tune.ts";
import type { FineTuneOptions } from "../../src/train/options.ts";
import { type MemorySink, memorySink } from "../../src/train/sink.ts";
import type { StepRecord } from "../../src/zo/trainer.ts";
import { gpuOrSkip, releaseAfterSuites } from "../harness/gpu.ts";
import { loadStories } from "./zo_fixtures.ts";

const w = suite("CollapseWatch");
const rec = (g: number[], skipped = false) => ({ g, skipped } as unknown as StepRecord);
w("reports the first step of a streak of all-zero g once it reaches the limit; any non-zero g resets it", () => {
  const c = new CollapseWatch(3);
  assert.is(c.observe(rec([0]), 1), null);
  assert.is(c.observe(rec([0, 0]), 2), null);
  assert.is(c.observe(rec([0, 1e-9]), 3), null, "one probe moved: not flat");
  assert.is(c.observe(rec([0]), 4), null);
  assert.is(c.observe(rec([NaN], true), 5), null, "skipped steps neither count nor reset");
  assert.is(c.observe(rec([0]), 6), null);
  assert.is(c.observe(rec([-0]), 7), 4);
  assert.is(new CollapseWatch(0).observe(rec([0]), 1), null, "0 turns it off");
  assert.throws(() => new CollapseWatch(-1), /non-negative integer/);
});
w.run();

const ctx = await gpuOrSkip("collapse detection");
if (ctx) {
  const { weights, tokenizer } = await loadStories();
  const opts = (sink: MemorySink, lr: number, eps: number, steps: number): FineTuneOptions => ({
    ctx, model: { weights, name: "stories260K" }, tokenizer,
    data: { tasks: ["sst2"], sizes: { train: 8, dev: 2, test: 2 } },
    method: "mezo", steps, batch: 2, maxLen: 32, evalEvery: 100, checkpointEvery: 1, collapseSteps: 3, skipBefore: true, best: false,
    trainer: { lr, eps, seed: 1 }, sink,
  });
  const s = suite("fineTune() collapse");
  s("lr 1000, eps 1: stops with a CollapseError and checkpoint.json rewound before the streak", async () => {
    const sink = memorySink();
    const warnings: string[] = [];
    try {
      await fineTune({ ...opts(sink, 1000, 1, 20), onEvent: (e) => e.type === "warning" && warnings.push(e.message) });
      assert.unreachable("must throw");
    } catch (e) {
      if (!(e instanceof CollapseError)) throw e;
      assert.ok(e.lastStep - e.firstStep + 1 === 3, `streak ${e.firstStep}-${e.lastStep}`);
      assert.ok(e.lastStep < 20, "stopped before the end");
      assert.match(e.message, /training collapsed: every projected gradient was exactly 0 for 3 consecutive steps/);
      const ck = JSON.parse(new TextDecoder().decode(sink.files.get("checkpoint.json"))) as { step: number };
      assert.is(ck.step, e.goodStep);
      assert.ok(ck.step < e.firstStep, `checkpoint step ${ck.step} must precede the streak (from ${e.firstStep})`);
      assert.ok(warnings.some((m) => m.includes("training collapsed")), "a warning event precedes the error");
    }
  });
  s("a healthy run (lr 2e-3, eps 1e-3) is not stopped", async () => {
    const r = await fineTune(opts(memorySink(), 2e-3, 1e-3, 6));
    assert.is(r.steps, 6);
  });
  s.run();
  releaseAfterSuites(ctx);
}
