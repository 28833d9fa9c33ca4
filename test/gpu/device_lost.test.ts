// A GPU device lost during training (issue 14: driver reset, backgrounded tab; here device.destroy())
// stops fineTune with a GpuLostError that says so and names the last checkpoint, from which the run
// resumes on a new device to the uninterrupted run's weights.
import { suite } from "uvu";
import * as assert from "uvu/assert";
import { createGpuContext } from "../../src/gpu/context.ts";
import { fineTune } from "../../src/train/fine_tune.ts";
import { GpuLostError } from "../../src/train/gpu_lost.ts";
import type { FineTuneOptions } from "../../src/train/options.ts";
import { type MemorySink, memorySink } from "../../src/train/sink.ts";
import { gpuOrSkip } from "../harness/gpu.ts";
import { loadStories } from "./zo_fixtures.ts";

const probe = await gpuOrSkip("device lost during training");
if (probe) {
  probe.destroy();
  const { weights, tokenizer } = await loadStories();
  const s = suite("fineTune() with a lost device");
  s("stops with a GpuLostError naming the last checkpoint; resuming on a new device ends with the uninterrupted weights", async () => {
    const opts = (ctx: FineTuneOptions["ctx"], sink: MemorySink, extra: Partial<FineTuneOptions> = {}): FineTuneOptions => ({
      ctx, model: { weights, name: "stories260K" }, tokenizer,
      data: { tasks: ["sst2"], sizes: { train: 8, dev: 2, test: 2 } },
      method: "mezo", steps: 4, batch: 2, maxLen: 32, evalEvery: 100, checkpointEvery: 1, skipBefore: true, best: false,
      trainer: { lr: 1e-3, seed: 5 }, sink, ...extra,
    });
    const quiet = { onFault: () => {} };
    const full = memorySink();
    const c0 = await createGpuContext(quiet);
    await fineTune(opts(c0, full));
    c0.destroy();

    const cut = memorySink();
    const c1 = await createGpuContext(quiet);
    try {
      await fineTune(opts(c1, cut, { onEvent: (e) => e.type === "checkpoint" && e.step === 2 && c1.device.destroy() }));
      assert.unreachable("must throw");
    } catch (e) {
      if (!(e instanceof GpuLostError)) throw e;
      assert.match(e.message, /device lost/);
      assert.match(e.message, "The last checkpoint is step 2 in checkpoint.json");
      assert.is(e.checkpoint, 2);
    } finally {
      c1.destroy();
    }
    const c2 = await createGpuContext(quiet);
    try {
      await fineTune(opts(c2, cut, { resume: true }));
    } finally {
      c2.destroy();
    }
    const a = full.files.get("model/model.safetensors")!, b = cut.files.get("model/model.safetensors")!;
    assert.ok(a.length === b.length && a.every((x, i) => x === b[i]), "resumed weights differ from the uninterrupted run's");
  });
  s.run();
}
