// fineTune (src/train/fine_tune.ts), the one pipeline every caller uses, on stories260K and a small SST-2
// split with an in-memory sink: the event stream's order, the run files, the best dev-loss step rebuilt
// from the trajectory, and abort + resume ending with the uninterrupted run's weights bit for bit.
import { suite } from "uvu";
import * as assert from "uvu/assert";
import type { FineTuneEvent } from "../../src/train/events.ts";
import { fineTune } from "../../src/train/fine_tune.ts";
import type { FineTuneOptions } from "../../src/train/options.ts";
import { type MemorySink, memorySink } from "../../src/train/sink.ts";
import { gpuOrSkip, releaseAfterSuites, withErrorScopes } from "../harness/gpu.ts";
import { loadStories } from "./zo_fixtures.ts";

const ctx = await gpuOrSkip("fineTune");
if (ctx) {
  const { weights, tokenizer } = await loadStories();
  // Seed 3 at lr 2e-3 gives the dev-loss curve 0.731 0.710 0.688 0.866 2.22 (lavapipe and Dawn alike):
  // the best step (2) is neither the first nor the last, so the rebuild is exercised.
  const base = (sink: MemorySink, onEvent?: (e: FineTuneEvent) => void, signal?: AbortSignal): FineTuneOptions => ({
    ctx,
    model: { weights, name: "stories260K" },
    tokenizer,
    data: { tasks: ["sst2"], sizes: { train: 4, dev: 4, test: 2 } },
    method: "mezo",
    steps: 4,
    batch: 2,
    maxLen: 32,
    evalEvery: 1,
    checkpointEvery: 2,
    trainer: { lr: 2e-3, seed: 3 },
    sink,
    config: { test: true },
    ...(onEvent !== undefined ? { onEvent } : {}),
    ...(signal !== undefined ? { signal } : {}),
  });
  const text = (s: MemorySink, name: string) => new TextDecoder().decode(s.files.get(name));
  const full = memorySink();
  const events: FineTuneEvent[] = [];
  const result = await withErrorScopes(ctx, () => fineTune(base(full, (e) => events.push(e))));

  const s = suite("fineTune()");

  s("sends evaluation before, steps 1..4 with checkpoints at 0, 2, 4, evaluation after, best, then done", () => {
    const seq = events.filter((e) => e.type !== "progress").map((e) => (e.type === "step" ? `step ${e.step}` : e.type === "checkpoint" ? `ckpt ${e.step}` : e.type === "evaluation" ? `eval ${e.phase}` : e.type));
    assert.equal(seq, ["eval before", "ckpt 0", "step 1", "ckpt 2", "step 2", "step 3", "ckpt 4", "step 4", "eval after", "eval best", "done"]);
    const steps = events.filter((e) => e.type === "step");
    assert.ok(steps.every((e) => e.type === "step" && e.devLoss !== undefined && e.total === 4), "every step event carries the dev loss (evalEvery 1)");
  });

  s("writes the run folder layout into the sink", () => {
    for (const f of ["config.json", "metrics.jsonl", "trajectory.jsonl", "checkpoint.json", "eval.json", "loss.svg", "model/config.json", "model/model.safetensors"]) assert.ok(full.files.has(f), `${f} missing; have ${[...full.files.keys()].join(", ")}`);
    assert.is(text(full, "metrics.jsonl").trim().split("\n").length, 8, "4 step lines and 4 dev-loss lines");
    assert.is(text(full, "trajectory.jsonl").trim().split("\n").length, 5, "header and 4 steps");
    assert.equal(JSON.parse(text(full, "config.json")), { test: true });
    assert.equal(result.written, ["config.json", "metrics.jsonl", "trajectory.jsonl", "eval.json", "loss.svg", "model/config.json", "model/model.safetensors"]);
  });

  s("rebuilds the best dev-loss step's weights from the trajectory: its evaluation has that step's dev loss", () => {
    const c = result.curve.map((p) => p.dev_loss);
    const best = result.best!;
    assert.is(best.step, 2, `fixture: the best step should be 2 (curve ${c.map((x) => x.toFixed(4)).join(" ")}); pick another seed if the loss changed`);
    assert.ok(Math.abs(c[2]! - c[3]!) > 1e-3 && Math.abs(c[2]! - c[4]!) > 1e-3, "the best step's dev loss stands apart from the last steps'");
    assert.ok(Math.abs(best.report!.dev_loss - c[2]!) <= 1e-6, `rebuilt weights have dev loss ${best.report!.dev_loss}, step 2 had ${c[2]}`);
    assert.ok(Math.abs(result.after!.dev_loss - c[4]!) <= 1e-6, "the final evaluation is of the final weights");
    assert.equal(JSON.parse(text(full, "eval.json")).best.step, 2);
  });

  s("aborted after step 2 and resumed from the same sink, it ends with the uninterrupted run's weights bit for bit", async () => {
    const cut = memorySink();
    const ac = new AbortController();
    let rejected: unknown;
    try {
      await fineTune(base(cut, (e) => e.type === "step" && e.step === 3 && ac.abort(new Error("stop here")), ac.signal));
    } catch (e) {
      rejected = e;
    }
    assert.is((rejected as Error | undefined)?.message, "stop here", "fineTune rejects with the signal's reason");
    assert.is(JSON.parse(text(cut, "checkpoint.json")).step, 2, "the last checkpoint before the abort");
    assert.not.ok(cut.files.has("model/model.safetensors"), "an aborted run writes no weights");
    await withErrorScopes(ctx, () => fineTune({ ...base(cut), resume: true }));
    const a = full.files.get("model/model.safetensors")!, b = cut.files.get("model/model.safetensors")!;
    assert.ok(a.length === b.length && a.every((x, i) => x === b[i]), "resumed weights differ from the uninterrupted run's");
    const noMs = (t: string) => t.split("\n").map((l) => l.replace(/"ms":[0-9.e+-]+,?/, ""));
    assert.equal(noMs(text(cut, "metrics.jsonl")), noMs(text(full, "metrics.jsonl")));
  });

  s("refuses a masked method on text data, naming the method", async () => {
    try {
      await fineTune({ ctx, model: { weights }, tokenizer, data: { texts: ["Once upon a time"] }, method: "mazo" });
      assert.unreachable("should have thrown");
    } catch (e) {
      assert.match((e as Error).message, /method mazo needs task data/);
    }
  });

  s.run();
  releaseAfterSuites(ctx);
}
