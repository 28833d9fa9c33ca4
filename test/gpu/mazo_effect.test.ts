// The effect of MaZO and MeZO on a three-task mixture (SST-2, TREC, COPA) with stories260K: a short run
// of each lowers the loss on its training examples by a stated margin, and does not raise the loss on 24
// held-out dev examples. Batches of 3 (one example per task, round-robin over 2 training examples per
// task, so that the examples the loss is measured on are the ones the steps probe), prompts truncated to
// 40 tokens, 8 steps. Learning rates follow the prototype and docs/mazo.md's sweep: MeZO at 5e-5
// (best near 3e-5, diverging at 1e-4), MaZO (keep 5%) at 1e-3, inside the masked stable range
// 3e-4..3e-3. Seeds are fixed, so the run is deterministic up to the GPU's float rounding.
//
// Margins, from measurements on Deno/llvmpipe (training-example loss 1.3204 at the start; its drop after
// 8 steps for run seeds 21 / 22 / 23 / 24):
//   correct update:        MaZO (2 probes) 0.0449 / 0.0261 / 0.0277 / 0.0223, MeZO 0.0255 / 0.0180 / 0.0207 / 0.0151
//   update along a wrong z (another seed's): MaZO -0.0044 / 0.0045 / 0.0046 / 0.0062, MeZO -0.0042 / -0.0108 / -0.0024 / -0.0005
//   update with the wrong sign (1 probe): MaZO -0.0689 / -0.0473, MeZO -0.0273 / -0.0198 (seeds 21 / 22)
//   no update:             0 exactly
// so each margin sits near half the smallest correct drop and above every broken one. (With one MaZO
// probe the correct and wrong-z drops overlapped: 0.0231 vs 0.0216 at the worst seeds.) The dev loss
// moves little in 8 steps (drops -0.005 .. +0.040 with correct updates), so it only must not rise by more
// than DEV_SLACK. A wrong-z update is also caught deterministically by the fidelity tests of
// test/gpu/mazo.test.ts, which compare every update with the reference's.
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
/** Training examples per task (the batches cycle through them) and held-out dev examples per task. */
const TRAIN_PER_TASK = 2;
const DEV_PER_TASK = 8;
/** Least drop of the training-example loss after STEPS steps (see the measurements above). */
const MAZO_MARGIN = 0.012;
const MEZO_MARGIN = 0.008;
/** Largest rise of the dev loss tolerated. */
const DEV_SLACK = 0.01;
/** MaZO averages 2 probes per step (see the margins above). */
const MAZO_PROBES = 2;
/** The run seed (MAZO_EFFECT_SEED replays others: seeds 21-24 all pass, see docs/mazo.md). */
const SEED = Number(process.env.MAZO_EFFECT_SEED ?? 21);
/** MeZO averages 4 probes per step (with one, its dev loss fell in only 2 of seeds 21-24 in an earlier measurement). */
const MEZO_PROBES = 4;

/** Trains `steps` steps of `scope` on mixed batches; returns the training-example and dev losses before and after. */
async function run(ctx: GpuContext, weights: HostWeights, makeScope: (store: ParamStore) => Promise<ZoScope> | ZoScope, train: readonly { task: string; train: readonly EncodedExample[] }[], dev: readonly EncodedExample[], lr: number, probes: number, seed: number): Promise<{ trainBefore: number; trainAfter: number; before: number; after: number; train: number[] }> {
  const store = ParamStore.upload(ctx, weights);
  const model = new LlamaModel(ctx, store);
  const scope = await makeScope(store);
  try {
    const score = modelScoreFn(model);
    const seen = train.flatMap((t) => t.train);
    const trainBefore = await batchLoss(seen, score);
    const before = await batchLoss(dev, score);
    const mixer = new TaskMixer(train, { batchSize: 3, seed: 5, mode: "round-robin" });
    const trainer = new ZoTrainer(ctx, scope, { seed, lr, eps: 1e-3, probes });
    const losses: number[] = [];
    for (let i = 0; i < STEPS; i++) {
      const batch = mixer.next();
      losses.push((await trainer.stepWith(() => batchLoss(batch, score))).loss);
    }
    return { trainBefore, trainAfter: await batchLoss(seen, score), before, after: await batchLoss(dev, score), train: losses };
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
  const splits = await loadTasks(["sst2", "trec", "copa"], { seed: 3, sizes: { train: TRAIN_PER_TASK, dev: DEV_PER_TASK, test: 1 } });
  const enc = (xs: readonly Parameters<typeof encodeExample>[0][]) => xs.map((x) => encodeExample(x, tokenizer, { maxLength: MAX_LEN }));
  const train = splits.map((s) => ({ task: s.task, train: enc(s.train) }));
  const dev = splits.flatMap((s) => enc(s.dev));
  const s = suite("MaZO and MeZO lower the loss on sst2 + trec + copa");
  const report = (name: string, r: Awaited<ReturnType<typeof run>>): void => {
    if (verbose) console.log(`  ${name}: training-example loss ${r.trainBefore.toFixed(4)} -> ${r.trainAfter.toFixed(4)} (drop ${(r.trainBefore - r.trainAfter).toFixed(4)}); dev loss ${r.before.toFixed(4)} -> ${r.after.toFixed(4)}; batch losses ${r.train.map((x) => x.toFixed(3)).join(" ")}`);
  };

  s(`MaZO (keep 5%, lr 1e-3, ${MAZO_PROBES} probes per step) lowers its training-example loss by ${MAZO_MARGIN} within ${STEPS} steps`, async () => {
    const engine = await loadMaskEngine();
    const r = await withErrorScopes(ctx, async () => {
      const store = ParamStore.upload(ctx, weights);
      const model = new LlamaModel(ctx, store);
      const stats = await calibrate(model, tokenizer, splits.map((x) => ({ task: x.task, examples: x.train })), { examples: TRAIN_PER_TASK, maxLength: MAX_LEN });
      model.releaseActivations();
      store.destroy(ctx);
      const set = buildMasks(engine, weights, stats, { keep: 0.05 });
      return await run(ctx, weights, (st) => new MaskedScope(ctx, st, set.masks), train, dev, 1e-3, MAZO_PROBES, SEED);
    });
    report("mazo", r);
    assert.ok(r.trainBefore - r.trainAfter >= MAZO_MARGIN, `MaZO training-example loss ${r.trainBefore} -> ${r.trainAfter}: drop below ${MAZO_MARGIN}`);
    assert.ok(r.after <= r.before + DEV_SLACK, `MaZO dev loss rose ${r.before} -> ${r.after}`);
  });

  s(`MeZO (lr 5e-5, 4 probes per step) lowers its training-example loss by ${MEZO_MARGIN} within ${STEPS} steps`, async () => {
    const r = await withErrorScopes(ctx, () => run(ctx, weights, (st) => createFullScope(ctx, st), train, dev, 5e-5, MEZO_PROBES, SEED));
    report("mezo", r);
    assert.ok(r.trainBefore - r.trainAfter >= MEZO_MARGIN, `MeZO training-example loss ${r.trainBefore} -> ${r.trainAfter}: drop below ${MEZO_MARGIN}`);
    assert.ok(r.after <= r.before + DEV_SLACK, `MeZO dev loss rose ${r.before} -> ${r.after}`);
  });

  s.run();
  releaseAfterSuites(ctx);
}
