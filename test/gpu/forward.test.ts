// The GPU forward pass on the real stories260K checkpoint against golden.json (from llama2.c's run.c)
// and against the float64 CPU reference; batching with padding; split bindings.
import { suite } from "uvu";
import * as assert from "uvu/assert";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { createGpuContext, type GpuContext } from "../../src/gpu/context.ts";
import { dataDir } from "../../src/io/files.ts";
import { LlamaModel } from "../../src/model/forward.ts";
import { generate } from "../../src/model/generate.ts";
import { loadModel } from "../../src/model/load.ts";
import { tokenizerFromFile } from "../../src/io/tokenizer_file.ts";
import { ParamStore } from "../../src/model/param_store.ts";
import type { HostWeights } from "../../src/model/weights.ts";
import { forwardRef } from "../../src/ref/forward.ts";
import { assertClose, maxRelErr } from "../harness/compare.ts";
import { gpuOrSkip, releaseAfterSuites, withErrorScopes } from "../harness/gpu.ts";

interface Golden {
  logits_pos0_after_bos: number[];
  logits_after_prompt: { prompt_ids: number[]; logits_last: number[]; argmax: number };
  greedy_from_bos: { ids: number[] };
  teacher_forced_nll: { ids_with_bos: number[]; mean_nll_nats: number };
}

const dir = join(dataDir(), "stories260K");
const golden = JSON.parse(readFileSync(join(dir, "golden.json"), "utf8")) as Golden;
const expectedText = readFileSync(join(dir, "expected_run_t0_n200.txt"), "utf8");
const tokenizer = await tokenizerFromFile(join(dir, "tok512.bin"));
const verbose = (globalThis as { process?: { env: Record<string, string | undefined> } }).process?.env.MAZO_TEST_VERBOSE === "1";

async function goldenChecks(s: ReturnType<typeof suite>, label: string, getCtx: () => GpuContext, weights: HostWeights, expectSplit: boolean): Promise<void> {
  let model: LlamaModel;
  s.before(() => {
    const ctx = getCtx();
    model = new LlamaModel(ctx, ParamStore.upload(ctx, weights));
    if (expectSplit) {
      assert.ok(model.store.get("tok_embeddings").chunks.length > 1, "the embedding must be split across bindings");
      assert.ok(model.store.get("layers.0.w2").chunks.length > 1, "w2 must be split across bindings");
    }
  });

  s(`${label}: logits after BOS match golden.json to 1e-4`, async () => {
    const [logits] = await withErrorScopes(getCtx(), () => model.logits([[1]]));
    assertClose(logits!, golden.logits_pos0_after_bos, { atol: 1e-4, rtol: 1e-4, label: "logits pos0" });
    if (verbose) console.log(`  ${label} pos0 max rel err ${maxRelErr(logits!, golden.logits_pos0_after_bos, 1e-2).toExponential(2)}`);
  });

  s(`${label}: logits after "Once upon a time" match golden.json to 1e-4`, async () => {
    const ids = golden.logits_after_prompt.prompt_ids;
    const [logits] = await model.logits([ids]);
    const last = logits!.subarray((ids.length - 1) * 512, ids.length * 512);
    assertClose(last, golden.logits_after_prompt.logits_last, { atol: 1e-4, rtol: 1e-4, label: "logits after prompt" });
    let best = 0;
    for (let i = 1; i < 512; i++) if (last[i]! > last[best]!) best = i;
    assert.is(best, golden.logits_after_prompt.argmax);
  });

  s(`${label}: teacher-forced mean NLL equals golden.json to 1e-4`, async () => {
    const ids = golden.teacher_forced_nll.ids_with_bos;
    const targets = [...ids.slice(1), -1];
    const r = await model.score([{ tokens: ids, targets }]);
    const nll = -r.mean[0]!;
    if (verbose) console.log(`  ${label} NLL ${nll} vs ${golden.teacher_forced_nll.mean_nll_nats}`);
    assert.ok(Math.abs(nll - golden.teacher_forced_nll.mean_nll_nats) <= 1e-4, `NLL ${nll} vs golden ${golden.teacher_forced_nll.mean_nll_nats}`);
    assert.is(r.count[0], ids.length - 1);
  });

  s(`${label}: 200 greedy tokens from BOS with the KV cache equal golden.json and decode to run.c's text`, async () => {
    const ids = await generate(model, [1], { maxTokens: 200, temperature: 0 });
    assert.equal(ids, golden.greedy_from_bos.ids.slice(0, ids.length));
    assert.is(ids.length, golden.greedy_from_bos.ids.length);
    // run.c prints the pieces and one trailing newline.
    assert.is(tokenizer.decode([1, ...ids]) + "\n", expectedText);
  });

  s.after(() => {
    model.releaseActivations();
    model.store.destroy(getCtx());
  });
}

const ctx = await gpuOrSkip("forward");
if (ctx) {
  const weights = (await loadModel(join(dir, "stories260K.bin"))).weights;

  const s = suite("LlamaModel on stories260K");
  await goldenChecks(s, "default bindings", () => ctx, weights, false);

  s("every position's logits match the float64 CPU reference (1e-4)", async () => {
    const model = new LlamaModel(ctx, ParamStore.upload(ctx, weights));
    const ids = golden.teacher_forced_nll.ids_with_bos.slice(0, 40);
    const [gpu] = await model.logits([ids]);
    const ref = forwardRef(weights, ids);
    assertClose(gpu!, ref, { atol: 1e-4, rtol: 1e-4, shape: [ids.length, 512], label: "logits vs reference" });
    model.releaseActivations();
    model.store.destroy(ctx);
  });

  s("a padded batch of different lengths equals one-at-a-time scoring to 1e-5", async () => {
    const model = new LlamaModel(ctx, ParamStore.upload(ctx, weights));
    const base = golden.teacher_forced_nll.ids_with_bos;
    const seqs = [base.slice(0, 7), base.slice(0, 30), base.slice(10, 11), base.slice(3, 21)].map((t) => ({ tokens: t, targets: [...t.slice(1), -1] }));
    const batched = await model.score(seqs);
    for (let b = 0; b < seqs.length; b++) {
      const one = await model.score([seqs[b]!]);
      assertClose(batched.logp[b]!, one.logp[0]!, { atol: 1e-5, rtol: 1e-5, label: `sequence ${b} batched vs alone` });
      assert.is(batched.count[b], one.count[0]);
    }
    model.releaseActivations();
    model.store.destroy(ctx);
  });

  s("bad token ids are rejected with the value and the range", async () => {
    const model = new LlamaModel(ctx, ParamStore.upload(ctx, weights));
    try {
      await model.score([{ tokens: [1, 600], targets: [2, -1] }]);
      assert.unreachable("should have thrown");
    } catch (e) {
      assert.match((e as Error).message, /token id 600 is outside \[0, 512\)/);
    }
    model.store.destroy(ctx);
  });
  s.run();

  // A binding cap of 48 KiB splits the 128 KiB embedding (the tied LM head) and the 44 KiB FFN matrices
  // across several bindings; the golden values must still hold.
  const small = await createGpuContext({ bindingCap: 40 * 1024 });
  const s2 = suite("LlamaModel with split bindings");
  await goldenChecks(s2, "40 KiB bindings", () => small, weights, true);
  s2.run();
  const end = suite("");
  end.after(() => small.destroy());
  end.run();
  releaseAfterSuites(ctx);
}
