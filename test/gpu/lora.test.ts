// LoRA adapters on stories260K: a fresh adapter (B = 0) changes nothing, merged weights equal the adapter
// model (also with A split over bindings), LoRA-ZO lowers the loss without touching the base weights, and
// its trajectory replays bit-identically.
import { suite } from "uvu";
import * as assert from "uvu/assert";
import process from "node:process";
import { createGpuContext, type GpuContext } from "../../src/gpu/context.ts";
import { initHostLora, LoraAdapters } from "../../src/lora/lora.ts";
import { mergeLora } from "../../src/lora/peft.ts";
import { createLoraScope } from "../../src/lora/scope.ts";
import { LlamaModel } from "../../src/model/forward.ts";
import { ParamStore } from "../../src/model/param_store.ts";
import { encodeTexts, lmBatchLoss, lmSequences } from "../../src/zo/losses.ts";
import { replay } from "../../src/zo/replay.ts";
import { ZoTrainer, type StepRecord } from "../../src/zo/trainer.ts";
import { assertClose } from "../harness/compare.ts";
import { gpuOrSkip, releaseAfterSuites, withErrorScopes } from "../harness/gpu.ts";
import { rngFor } from "../harness/random.ts";
import { loadStories, storySentences, weightDiff } from "./zo_fixtures.ts";

const verbose = process.env.MAZO_TEST_VERBOSE === "1";
const bitsEqual = (a: Float32Array, b: Float32Array): boolean => {
  const x = new Uint32Array(a.buffer, a.byteOffset, a.length), y = new Uint32Array(b.buffer, b.byteOffset, b.length);
  return x.length === y.length && x.every((v, i) => v === y[i]);
};

const ctx = await gpuOrSkip("lora");
if (ctx) {
  const { weights, tokenizer } = await loadStories();
  const ids3 = encodeTexts(storySentences(3, 5), tokenizer, 40);
  const ids = ids3;
  const s = suite("LoRA adapters");

  s("a fresh adapter (B = 0) leaves every logit bit-identical", async () => {
    await withErrorScopes(ctx, async () => {
      const model = new LlamaModel(ctx, ParamStore.upload(ctx, weights));
      const plain = await model.logits(ids);
      const lora = new LoraAdapters(ctx, initHostLora(weights.config, { rank: 4, alpha: 8, targets: ["wq", "wv"], seed: 3 }));
      lora.attach(model);
      assert.is(model.adapters.size, 2 * weights.config.nLayers);
      const adapted = await model.logits(ids);
      plain.forEach((p, b) => assert.ok(bitsEqual(p, adapted[b]!), `sequence ${b} logits changed`));
      // A is Kaiming-uniform within 1/sqrt(in), deterministic in the seed.
      const host = await lora.download();
      const bound = 1 / Math.sqrt(weights.config.dim);
      assert.ok(host.a[0]!.every((x) => Math.abs(x) <= bound) && host.a[0]!.some((x) => Math.abs(x) > bound / 2));
      assert.ok(bitsEqual(host.a[3]!, initHostLora(weights.config, { rank: 4, alpha: 8, targets: ["wq", "wv"], seed: 3 }).a[3]!));
      lora.destroy();
      model.releaseActivations();
      model.store.destroy(ctx);
    });
  });

  const mergedMatches = async (c: GpuContext, label: string, split: boolean): Promise<void> => {
    // One sequence with split bindings: the forward pass keeps (T, F) activations whole only up to the cap.
    const ids = split ? ids3.slice(0, 1) : ids3;
    await withErrorScopes(c, async () => {
      const rng = rngFor(label);
      const host = initHostLora(weights.config, { rank: 64, alpha: 16, targets: ["wq", "w2"], seed: 9 });
      host.b.forEach((b) => b.set(rng.normals(b.length, 0.05)));
      const model = new LlamaModel(c, ParamStore.upload(c, weights));
      const lora = new LoraAdapters(c, host);
      if (split) assert.ok(lora.a[1]!.chunks.length > 1, "A of w2 (64 x 172) must be split over bindings");
      lora.attach(model);
      const adapted = await model.logits(ids);
      const plain = new LlamaModel(c, ParamStore.upload(c, weights));
      const before = await plain.logits(ids);
      const merged = new LlamaModel(c, ParamStore.upload(c, mergeLora(weights, host)));
      const m = await merged.logits(ids);
      adapted.forEach((a, b) => {
        assertClose(m[b]!, a, { atol: 1e-4, rtol: 1e-4, label: `${label}: merged vs adapter, sequence ${b}` });
        let diff = 0;
        for (let i = 0; i < a.length; i++) diff = Math.max(diff, Math.abs(a[i]! - before[b]![i]!));
        assert.ok(diff > 1e-2, `the adapter must change the logits (max change ${diff})`);
      });
      lora.destroy();
      for (const x of [model, plain, merged]) {
        x.releaseActivations();
        x.store.destroy(c);
      }
    });
  };

  s("merged weights W + (alpha/r) B A give the adapter model's logits to 1e-4", async () => {
    await mergedMatches(ctx, "default bindings", false);
  });

  s("the same holds with 40 KiB bindings, A split over two chunks", async () => {
    const small = await createGpuContext({ bindingCap: 40 * 1024 });
    try {
      await mergedMatches(small, "40 KiB bindings", true);
    } finally {
      small.destroy();
    }
  });

  s("LoRA-ZO lowers the batch loss, never touches the base weights, and replays bit-identically", async () => {
    await withErrorScopes(ctx, async () => {
      const store = ParamStore.upload(ctx, weights);
      const model = new LlamaModel(ctx, store);
      const cfg = { rank: 8, alpha: 16, targets: ["wq", "wv"] as const, seed: 1 };
      const lora = new LoraAdapters(ctx, initHostLora(weights.config, { ...cfg, targets: [...cfg.targets] }));
      lora.attach(model);
      const scope = createLoraScope(ctx, lora);
      assert.is(scope.trainable, weights.config.nLayers * (8 * 64 + 64 * 8 + 8 * 64 + 32 * 8)); // wq: A (8, 64), B (64, 8); wv: A (8, 64), B (32, 8)
      const seqs = lmSequences(encodeTexts(storySentences(4, 0), tokenizer, 20));
      const loss = () => lmBatchLoss(model, seqs);
      const before = await loss();
      const trainer = new ZoTrainer(ctx, scope, { seed: 5, lr: 3e-3, eps: 1e-3 });
      const records: StepRecord[] = [];
      for (let i = 0; i < 40; i++) records.push(await trainer.stepWith(loss));
      const after = await loss();
      if (verbose) console.log(`  LoRA-ZO: batch loss ${before.toFixed(4)} -> ${after.toFixed(4)} in 40 steps`);
      assert.ok(after < before - 0.01, `loss ${before} -> ${after}`);
      assert.is(weightDiff(weights, await store.download(ctx)).differing, 0);
      const trained = await lora.download();
      const lora2 = new LoraAdapters(ctx, initHostLora(weights.config, { ...cfg, targets: [...cfg.targets] }));
      const scope2 = createLoraScope(ctx, lora2);
      await replay(ctx, scope2, records);
      const replayed = await lora2.download();
      trained.a.forEach((a, k) => assert.ok(bitsEqual(a, replayed.a[k]!) && bitsEqual(trained.b[k]!, replayed.b[k]!), `entry ${k} differs after replay`));
      assert.ok(trained.b.some((b) => b.some((x) => x !== 0)), "training must have moved B");
      for (const x of [scope, scope2]) x.destroy();
      lora.destroy();
      lora2.destroy();
      model.releaseActivations();
      store.destroy(ctx);
    });
  });

  s.run();
  releaseAfterSuites(ctx);
}
