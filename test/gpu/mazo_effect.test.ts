// The effect of MaZO and MeZO on a three-task mixture (SST-2, TREC, COPA) with stories260K: a short run
// of each lowers the dev loss (mean training loss on held-out dev examples) below its starting value.
// Batches of 3 (one example per task, round-robin), prompts truncated to 40 tokens, 8 steps.
// Learning rates follow the prototype and docs/mazo.md's sweep: MeZO at 5e-5 (best near 3e-5,
// diverging at 1e-4), MaZO (keep 5%) at 1e-3, inside the masked stable range 3e-4..3e-3. Seeds are fixed, so the run is deterministic up to the
// GPU's float rounding.
import { suite } from "uvu";
import * as assert from "uvu/assert";
import { join } from "node:path";
import process from "node:process";
import type { GpuContext } from "../../src/gpu/context.ts";
import { dataDir } from "../../src/io/files.ts";
import { tokenizerFromFile } from "../../src/io/tokenizer_file.ts";
import { loadMaskEngine } from "../../src/mask/engine.ts";
import { calibrate } from "../../src/mazo/calibrate.ts";
import { batchLoss, modelScoreFn } from "../../src/mazo/loss.ts";
import { MaskedScope } from "../../src/mazo/masked_scope.ts";
import { buildMasks } from "../../src/mazo/masks.ts";
import { LlamaModel } from "../../src/model/forward.ts";
import { loadModel } from "../../src/model/load.ts";
import { ParamStore } from "../../src/model/param_store.ts";
import type { HostWeights } from "../../src/model/weights.ts";
import { encodeExample, type EncodedExample } from "../../src/tasks/encode.ts";
import { loadTasks } from "../../src/tasks/load.ts";
import { TaskMixer } from "../../src/tasks/mixer.ts";
import { createFullScope } from "../../src/zo/full_scope.ts";
import type { ZoScope } from "../../src/zo/scope.ts";
import { ZoTrainer } from "../../src/zo/trainer.ts";
import { gpuOrSkip, releaseAfterSuites, withErrorScopes } from "../harness/gpu.ts";

const verbose = process.env.MAZO_TEST_VERBOSE === "1";
const dir = join(dataDir(), "stories260K");
const MAX_LEN = 40;
const STEPS = 8;
/** Dev examples per task. */
const DEV_PER_TASK = Number(process.env.MAZO_EFFECT_DEV ?? 8);
/** The run seed (MAZO_EFFECT_SEED replays others: seeds 21-24 all pass, see docs/mazo.md). */
const SEED = Number(process.env.MAZO_EFFECT_SEED ?? 21);
/**
 * MeZO averages 4 probes per step: with one probe its dev loss fell in only 2 of seeds 21-24 within this
 * budget (MaZO with one probe: 4 of 4).
 */
const MEZO_PROBES = 4;

/** Trains `steps` steps of `scope` on mixed batches; returns the dev loss before and after. */
async function run(ctx: GpuContext, weights: HostWeights, makeScope: (store: ParamStore) => Promise<ZoScope> | ZoScope, train: readonly { task: string; train: readonly EncodedExample[] }[], dev: readonly EncodedExample[], lr: number, probes: number, seed: number): Promise<{ before: number; after: number; train: number[] }> {
  const store = ParamStore.upload(ctx, weights);
  const model = new LlamaModel(ctx, store);
  const scope = await makeScope(store);
  try {
    const score = modelScoreFn(model);
    const before = await batchLoss(dev, score);
    const mixer = new TaskMixer(train, { batchSize: 3, seed: 5, mode: "round-robin" });
    const trainer = new ZoTrainer(ctx, scope, { seed, lr, eps: 1e-3, probes });
    const losses: number[] = [];
    for (let i = 0; i < STEPS; i++) {
      const batch = mixer.next();
      losses.push((await trainer.stepWith(() => batchLoss(batch, score))).loss);
    }
    return { before, after: await batchLoss(dev, score), train: losses };
  } finally {
    scope.destroy();
    model.releaseActivations();
    store.destroy(ctx);
  }
}

const ctx = await gpuOrSkip("mazo_effect");
if (ctx) {
  const weights = (await loadModel(join(dir, "stories260K.bin"))).weights;
  const tokenizer = await tokenizerFromFile(dir);
  const splits = await loadTasks(["sst2", "trec", "copa"], { seed: 3, sizes: { train: 16, dev: DEV_PER_TASK, test: 1 } });
  const enc = (xs: readonly Parameters<typeof encodeExample>[0][]) => xs.map((x) => encodeExample(x, tokenizer, { maxLength: MAX_LEN }));
  const train = splits.map((s) => ({ task: s.task, train: enc(s.train) }));
  const dev = splits.flatMap((s) => enc(s.dev));
  const s = suite("MaZO and MeZO lower the dev loss on sst2 + trec + copa");

  s(`MaZO (keep 5%, lr 1e-3) lowers the dev loss within ${STEPS} steps`, async () => {
    const engine = await loadMaskEngine();
    const r = await withErrorScopes(ctx, async () => {
      const store = ParamStore.upload(ctx, weights);
      const model = new LlamaModel(ctx, store);
      const stats = await calibrate(model, tokenizer, splits.map((x) => ({ task: x.task, examples: x.train })), { examples: 2, maxLength: MAX_LEN });
      model.releaseActivations();
      store.destroy(ctx);
      const set = buildMasks(engine, weights, stats, { keep: 0.05 });
      return await run(ctx, weights, (st) => new MaskedScope(ctx, st, set.masks), train, dev, 1e-3, 1, SEED);
    });
    if (verbose) console.log(`  mazo dev loss ${r.before.toFixed(4)} -> ${r.after.toFixed(4)}; train ${r.train.map((x) => x.toFixed(3)).join(" ")}`);
    assert.ok(r.after < r.before, `MaZO dev loss ${r.before} -> ${r.after}`);
  });

  s(`MeZO (lr 5e-5, 4 probes per step) lowers the dev loss within ${STEPS} steps`, async () => {
    const r = await withErrorScopes(ctx, () => run(ctx, weights, (st) => createFullScope(ctx, st), train, dev, 5e-5, MEZO_PROBES, SEED));
    if (verbose) console.log(`  mezo dev loss ${r.before.toFixed(4)} -> ${r.after.toFixed(4)}; train ${r.train.map((x) => x.toFixed(3)).join(" ")}`);
    assert.ok(r.after < r.before, `MeZO dev loss ${r.before} -> ${r.after}`);
  });

  s.run();
  releaseAfterSuites(ctx);
}
