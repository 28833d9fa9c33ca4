// Weights kept in f16/bf16 on the GPU: a store in half precision holds about half the bytes of f32, gives
// the same logits as the f32 store of the same (half-representable) values bit for bit (the kernels widen
// exactly and then do the same f32 arithmetic), matches the float64 CPU reference, reads back exactly,
// and a random-weight Hugging Face folder (single file and sharded) streams in as stored.
import { suite } from "uvu";
import * as assert from "uvu/assert";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { LlamaModel } from "../../src/model/forward.ts";
import { f32ToHalf, halfToF32 } from "../../src/model/half.ts";
import { loadModel, openModel, uploadModel } from "../../src/model/load.ts";
import { ParamStore } from "../../src/model/param_store.ts";
import type { HostWeights } from "../../src/model/weights.ts";
import { forwardRef } from "../../src/ref/forward.ts";
import { REAL_CONFIGS, writeRandomHfFolder } from "../fixtures/random_hf_folder.ts";
import { assertClose } from "../harness/compare.ts";
import { gpuOrSkip, releaseAfterSuites, withErrorScopes } from "../harness/gpu.ts";
import { rngFor } from "../harness/random.ts";
import { randomWeights, tinyConfig } from "../ref/hf_fixtures.ts";

/** `w` with every matrix and embedding rounded to `fmt` (so f32 and half stores hold equal values). */
function representable(w: HostWeights, fmt: "f16" | "bf16"): HostWeights {
  return {
    config: w.config,
    tensors: w.tensors.map((t) => (t.shape.length === 2 ? { ...t, data: halfToF32(f32ToHalf(t.data, fmt), fmt) } : t)),
  };
}

const ctx = await gpuOrSkip("half-precision weights");
if (ctx) {
  const s = suite("ParamStore in f16/bf16");
  for (const fmt of ["f16", "bf16"] as const) {
    for (const over of [{}, { tiedEmbeddings: true, attnBias: true, nHeads: 6, nKvHeads: 2, headDim: 6, dim: 24 }]) {
      const name = `${fmt}, ${JSON.stringify(over)}`;
      s(`logits from a ${name} store equal the f32 store's bit for bit and the float64 reference to 1e-4`, async () => {
        const w = representable(randomWeights(tinyConfig({ vocabSize: 61, ...over }), rngFor(`half store ${name}`), 0.2), fmt);
        const ids = Array.from({ length: 11 }, (_, i) => (i * 7 + 3) % 61);
        await withErrorScopes(ctx, async () => {
          const half = new LlamaModel(ctx, ParamStore.upload(ctx, w, { dtype: fmt }));
          const full = new LlamaModel(ctx, ParamStore.upload(ctx, w));
          assert.is(half.store.dtype, fmt);
          assert.is(half.store.weight("layers.0.wq").dtype, fmt);
          assert.is(half.store.get("layers.0.attention_norm").dtype, "f32", "norms stay f32");
          const [a] = await half.logits([ids]);
          const [b] = await full.logits([ids]);
          assertClose(a!, b!, { atol: 0, rtol: 0, label: `${name} half vs f32 store` });
          assertClose(a!, forwardRef(w, ids), { atol: 1e-4, rtol: 1e-4, shape: [ids.length, 61], label: `${name} vs reference` });
          const back = await half.store.download(ctx);
          back.tensors.forEach((t, i) => assertClose(t.data, w.tensors[i]!.data, { atol: 0, rtol: 0, label: `download ${t.name}` }));
          const ratio = half.store.bytes / full.store.bytes;
          assert.ok(ratio < 0.62, `half store takes ${half.store.bytes} bytes vs ${full.store.bytes} (ratio ${ratio.toFixed(3)})`);
          for (const m of [half, full]) {
            m.releaseActivations();
            m.store.destroy(ctx);
          }
        });
      });
    }
  }
  s("a half store of f32 weights rounds each to nearest even (download equals the host rounding)", async () => {
    const w = randomWeights(tinyConfig(), rngFor("half rounding"), 0.3);
    const store = ParamStore.upload(ctx, w, { dtype: "bf16" });
    const back = await store.download(ctx);
    back.tensors.forEach((t, i) => {
      const want = w.tensors[i]!.shape.length === 2 ? halfToF32(f32ToHalf(w.tensors[i]!.data, "bf16"), "bf16") : w.tensors[i]!.data;
      assertClose(t.data, want, { atol: 0, rtol: 0, label: t.name });
    });
    store.destroy(ctx);
  });
  s.run();

  const f = suite("Hugging Face folders in bf16/f16");
  const root = mkdtempSync(join(tmpdir(), "mazo-half-"));
  f("a 2-layer SmolLM-135M cut in bf16 (vocab 1024) streams in as bf16 at ~half the bytes; logits equal --dtype f32's", async () => {
    const dir = join(root, "smollm");
    writeRandomHfFolder(dir, REAL_CONFIGS["smollm-135m"], { dtype: "bf16", layers: 2, vocab: 1024, seed: 7 });
    const m = await openModel(dir);
    assert.is(m.storedDtype, "bf16");
    assert.is(m.config.nKvHeads, 3);
    const half = new LlamaModel(ctx, await uploadModel(ctx, m));
    const full = new LlamaModel(ctx, await uploadModel(ctx, m, "f32"));
    assert.is(half.store.dtype, "bf16");
    const ratio = half.store.bytes / full.store.bytes;
    assert.ok(ratio > 0.49 && ratio < 0.51, `bf16 weights take ${ratio.toFixed(4)} of the f32 bytes`);
    const ids = [0, 5, 77, 1000, 3, 9, 512, 13];
    const [a] = await half.logits([ids]);
    const [b] = await full.logits([ids]);
    assertClose(a!, b!, { atol: 0, rtol: 0, label: "bf16 vs f32 store" });
    const host = (await loadModel(dir)).weights;
    assertClose(a!, forwardRef(host, ids), { atol: 2e-4, rtol: 2e-4, label: "bf16 store vs reference" });
    for (const x of [half, full]) {
      x.releaseActivations();
      x.store.destroy(ctx);
    }
  });
  f("a sharded f16 folder loads the same values as the single-file one", async () => {
    const one = join(root, "tl1"), many = join(root, "tl2");
    const cfg = { ...REAL_CONFIGS["tinyllama-1.1b"], hidden_size: 64, intermediate_size: 96, num_attention_heads: 8, num_key_value_heads: 2 };
    writeRandomHfFolder(one, cfg, { dtype: "f16", layers: 2, vocab: 300, seed: 3 });
    const w = writeRandomHfFolder(many, cfg, { dtype: "f16", layers: 2, vocab: 300, seed: 3, shardBytes: 40_000 });
    assert.ok(w.files.length > 2, `sharded into ${w.files.length} files`);
    const a = await uploadModel(ctx, await openModel(one));
    const b = await uploadModel(ctx, await openModel(many));
    assert.is(a.dtype, "f16");
    const [da, db] = [await a.download(ctx), await b.download(ctx)];
    da.tensors.forEach((t, i) => assertClose(t.data, db.tensors[i]!.data, { atol: 0, rtol: 0, label: t.name }));
    a.destroy(ctx);
    b.destroy(ctx);
  });
  f.after(() => rmSync(root, { recursive: true, force: true }));
  f.run();
  releaseAfterSuites(ctx);
}
