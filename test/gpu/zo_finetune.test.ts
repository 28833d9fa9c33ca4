// MeZO fine-tuning on stories260K lowers the teacher-forced loss on held-out sentences (TinyStories-style
// sentences written for the tests, test/gpu/zo_fixtures.ts, disjoint from the training ones), and the
// GPU trainer agrees with the plain CPU reference (src/ref/zo.ts) on the projected gradients.
import { suite } from "uvu";
import * as assert from "uvu/assert";
import process from "node:process";
import { LlamaModel } from "../../src/model/forward.ts";
import { ParamStore } from "../../src/model/param_store.ts";
import { lmLossRef, zoStepRef } from "../../src/ref/zo.ts";
import { createFullScope } from "../../src/zo/full_scope.ts";
import { encodeTexts, lmBatchLoss, lmLossForStep, lmSequences } from "../../src/zo/losses.ts";
import { ZoTrainer } from "../../src/zo/trainer.ts";
import { gpuOrSkip, releaseAfterSuites, withErrorScopes } from "../harness/gpu.ts";
import { cloneWeights, loadStories, storySentences } from "./zo_fixtures.ts";

const verbose = process.env.MAZO_TEST_VERBOSE === "1";
// Sized for the software adapters: Node's SwiftShader runs the forward pass ~40x slower than llvmpipe.
const STEPS = 30, BATCH = 4, MAX_LEN = 20, LR = 2e-4;

const ctx = await gpuOrSkip("zo_finetune");
if (ctx) {
  const { weights, tokenizer } = await loadStories();
  const s = suite("MeZO on stories260K");

  s("the GPU trainer's g scalars equal the CPU reference's to 1e-3 relative over 3 steps (q = 2)", async () => {
    await withErrorScopes(ctx, async () => {
      const seqs = lmSequences(encodeTexts(storySentences(2, 300), tokenizer, 24));
      const opts = { seed: 77, lr: 1e-3, eps: 1e-3, probes: 2, weightDecay: 0.01 };
      const store = ParamStore.upload(ctx, weights);
      const model = new LlamaModel(ctx, store);
      const scope = await createFullScope(ctx, store);
      const trainer = new ZoTrainer(ctx, scope, opts);
      const host = cloneWeights(weights);
      const refSeqs = seqs.map((q) => ({ tokens: Array.from(q.tokens), targets: Array.from(q.targets) }));
      let worst = 0;
      for (let step = 0; step < 3; step++) {
        const gpu = await trainer.stepWith(() => lmBatchLoss(model, seqs));
        const ref = zoStepRef(host, step, opts, (w) => lmLossRef(w, refSeqs));
        assert.equal(gpu.seeds, ref.seeds);
        gpu.g.forEach((g, j) => {
          const rel = Math.abs(g - ref.g[j]!) / Math.abs(ref.g[j]!);
          worst = Math.max(worst, rel);
          assert.ok(rel <= 1e-3, `step ${step} probe ${j}: gpu g ${g} vs reference ${ref.g[j]} (rel ${rel})`);
        });
      }
      if (verbose) console.log(`  fidelity: worst relative g difference ${worst.toExponential(2)}`);
      scope.destroy();
      model.releaseActivations();
      store.destroy(ctx);
    });
  });

  s(`${STEPS} MeZO steps (batch ${BATCH}) lower the teacher-forced loss on 24 held-out sentences`, async () => {
    await withErrorScopes(ctx, async () => {
      const train = storySentences(48, 0), heldOut = storySentences(24, 2000);
      assert.ok(heldOut.every((t) => !train.includes(t)), "held-out sentences must not be in the training set");
      const store = ParamStore.upload(ctx, weights);
      const model = new LlamaModel(ctx, store);
      const evalSeqs = lmSequences(encodeTexts(heldOut, tokenizer, MAX_LEN));
      const lossFor = lmLossForStep(model, encodeTexts(train, tokenizer, MAX_LEN), BATCH, 3);
      const before = await lmBatchLoss(model, evalSeqs);
      const scope = await createFullScope(ctx, store);
      const trainer = new ZoTrainer(ctx, scope, { seed: 42, lr: LR, eps: 1e-3 });
      // Step time against two forward passes of the same batch.
      await lossFor(0)();
      const tf = performance.now();
      await lossFor(0)();
      const forwardMs = performance.now() - tf;
      let stepMs = 0;
      for (let i = 0; i < STEPS; i++) stepMs += (await trainer.stepWith(lossFor(i))).ms;
      const after = await lmBatchLoss(model, evalSeqs);
      if (verbose) console.log(`  held-out loss ${before.toFixed(4)} -> ${after.toFixed(4)}; step ${(stepMs / STEPS).toFixed(1)} ms, forward ${forwardMs.toFixed(1)} ms, step / (2 x forward) ${(stepMs / STEPS / (2 * forwardMs)).toFixed(2)}`);
      assert.ok(after < before - 0.05, `held-out loss ${before} -> ${after}`);
      scope.destroy();
      model.releaseActivations();
      store.destroy(ctx);
    });
  });

  s.run();
  releaseAfterSuites(ctx);
}
