/**
 * Masked (MaZO) ZO step vs full (MeZO) step. Two measurements per model:
 *   kernels  begin + perturb(+eps) + perturb(-2eps) + restore + update, submitted and waited for, with no
 *            forward pass: the part of a step whose cost the mask changes;
 *   step     a whole ZoTrainer step (two forward passes on a 3-task batch of stories260K prompts).
 * Models: stories260K (real weights, MaZO mask from calibration) and, with --dim, a random Llama of that
 * width (--layers, default 8) to show the kernel cost at a size where it is not dwarfed by dispatch
 * overhead; its mask is the seeded random mask of the same k (same cost as any mask of that size).
 *
 * Usage: npm run bench -- mazo [--keep 0.01] [--reps 10] [--dim 512] [--layers 8]
 */
import { join } from "node:path";
import process from "node:process";
import { createGpuContext, type GpuContext } from "../src/gpu/context.ts";
import { Recorder } from "../src/gpu/recorder.ts";
import { dataDir } from "../src/io/files.ts";
import { tokenizerFromFile } from "../src/io/tokenizer_file.ts";
import { loadMaskEngine } from "../src/mask/engine.ts";
import { calibrate } from "../src/mazo/calibrate.ts";
import { batchLoss, modelScoreFn } from "../src/mazo/loss.ts";
import { MaskedScope } from "../src/mazo/masked_scope.ts";
import { buildMasks, type MaskSet } from "../src/mazo/masks.ts";
import { canonicalTensors } from "../src/model/canonical.ts";
import type { ModelConfig } from "../src/model/config.ts";
import { LlamaModel } from "../src/model/forward.ts";
import { loadModel } from "../src/model/load.ts";
import { ParamStore } from "../src/model/param_store.ts";
import type { HostWeights } from "../src/model/weights.ts";
import { encodeExample } from "../src/tasks/encode.ts";
import { loadTasks } from "../src/tasks/load.ts";
import { createFullScope } from "../src/zo/full_scope.ts";
import type { ZoScope } from "../src/zo/scope.ts";
import { ZoTrainer } from "../src/zo/trainer.ts";
import { Rng } from "../test/harness/random.ts";

function arg(name: string, fallback: number): number {
  const i = process.argv.indexOf(`--${name}`);
  const v = i >= 0 ? Number(process.argv[i + 1]) : fallback;
  if (!(v > 0)) throw new RangeError(`bench mazo: --${name} is ${process.argv[i + 1]}; it must be a positive number`);
  return v;
}
const keep = arg("keep", 0.01), reps = arg("reps", 10);
const bigDim = process.argv.includes("--dim") ? arg("dim", 512) : 0;
const bigLayers = arg("layers", 8);

/** Best ms over reps of the five scope calls, submitted and waited for. */
async function kernelMs(ctx: GpuContext, scope: ZoScope): Promise<number> {
  let best = Infinity;
  for (let r = 0; r < reps + 1; r++) {
    const t0 = performance.now();
    const rec = new Recorder(ctx, "bench.mazo");
    scope.begin(rec);
    scope.perturb(rec, r, 1e-3);
    scope.perturb(rec, r, -2e-3);
    scope.restore(rec, r, 1e-3);
    scope.update(rec, r, 1e-6, 0);
    rec.submit();
    await ctx.device.queue.onSubmittedWorkDone();
    if (r > 0) best = Math.min(best, performance.now() - t0); // the first run compiles pipelines
  }
  return best;
}

async function compare(ctx: GpuContext, label: string, weights: HostWeights, set: MaskSet, step?: (scope: ZoScope, model: LlamaModel) => Promise<number>): Promise<void> {
  const rows: [string, number, number | undefined][] = [];
  for (const kind of ["full", "masked"] as const) {
    const store = ParamStore.upload(ctx, weights);
    const model = new LlamaModel(ctx, store);
    const scope = kind === "full" ? await createFullScope(ctx, store) : new MaskedScope(ctx, store, set.masks);
    const k = await kernelMs(ctx, scope);
    const s = step === undefined ? undefined : await step(scope, model);
    rows.push([`${kind} (${scope.trainable} trained, ${(scope.extraBytes / 1024).toFixed(0)} KiB extra)`, k, s]);
    scope.destroy();
    model.releaseActivations();
    store.destroy(ctx);
  }
  console.log(`${label}`);
  for (const [what, k, s] of rows) console.log(`  ${what.padEnd(52)} kernels ${k.toFixed(2).padStart(8)} ms${s === undefined ? "" : `   step ${s.toFixed(1).padStart(8)} ms`}`);
  const [f, m] = rows as [typeof rows[0], typeof rows[0]];
  console.log(`  masked / full: kernels ${(m[1] / f[1]).toFixed(3)}${f[2] === undefined ? "" : `, whole step ${(m[2]! / f[2]).toFixed(3)}`}`);
}

const ctx = await createGpuContext();
console.log(`mazo bench: keep ${keep}, best of ${reps}, ${ctx.info.description}, runtime ${"Deno" in globalThis ? "deno" : "node"}`);
const engine = await loadMaskEngine();
const dir = join(dataDir(), "stories260K");
const weights = (await loadModel(join(dir, "stories260K.bin"))).weights;
const tokenizer = await tokenizerFromFile(dir);
const splits = await loadTasks(["sst2", "trec", "copa"], { seed: 1, sizes: { train: 8, dev: 1, test: 1 } });
{
  const store = ParamStore.upload(ctx, weights);
  const model = new LlamaModel(ctx, store);
  const stats = await calibrate(model, tokenizer, splits.map((s) => ({ task: s.task, examples: s.train })), { examples: 8, maxLength: 64 });
  model.releaseActivations();
  store.destroy(ctx);
  const batch = splits.map((s) => encodeExample(s.train[0]!, tokenizer, { maxLength: 64 }));
  await compare(ctx, "stories260K", weights, buildMasks(engine, weights, stats, { keep }), async (scope, model) => {
    const trainer = new ZoTrainer(ctx, scope, { seed: 1, lr: 1e-6, eps: 1e-3 });
    const score = modelScoreFn(model);
    let best = Infinity;
    for (let r = 0; r < Math.min(reps, 5) + 1; r++) {
      const t0 = performance.now();
      await trainer.stepWith(() => batchLoss(batch, score));
      if (r > 0) best = Math.min(best, performance.now() - t0);
    }
    return best;
  });
}
if (bigDim > 0) {
  const config: ModelConfig = { ...weights.config, dim: bigDim, hiddenDim: Math.round((bigDim * 8) / 3), nLayers: bigLayers, nHeads: bigDim / 64, nKvHeads: bigDim / 64, headDim: 64 };
  const rng = new Rng(5);
  const big: HostWeights = { config, tensors: canonicalTensors(config).map((s) => ({ name: s.name, shape: [...s.shape], data: rng.normals(s.shape.reduce((a, b) => a * b, 1), 0.02) })) };
  await compare(ctx, `random Llama dim ${bigDim}, ${bigLayers} layers`, big, buildMasks(engine, big, [], { method: "random", keep }));
}
ctx.destroy();
