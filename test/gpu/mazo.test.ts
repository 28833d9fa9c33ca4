// MaZO on stories260K: GPU calibration against the reference, masks identical on both paths, projected
// gradients of MaZO and MeZO steps against the plain TypeScript reference, keep = 100% equal to MeZO, and
// masked steps leaving every entry outside the mask bit-identical (also with split arena bindings).
import { suite } from "uvu";
import * as assert from "uvu/assert";
import { join } from "node:path";
import process from "node:process";
import type { GpuContext } from "../../src/gpu/context.ts";
import type { Recorder } from "../../src/gpu/recorder.ts";
import { dataDir } from "../../src/io/files.ts";
import { tokenizerFromFile } from "../../src/io/tokenizer_file.ts";
import { loadMaskEngine } from "../../src/mask/engine.ts";
import { calibrate, type TaskStats } from "../../src/mazo/calibrate.ts";
import { batchLoss, modelScoreFn } from "../../src/mazo/loss.ts";
import { createLoraMaskedScope, loraMasks } from "../../src/mazo/lora_scope.ts";
import { MaskedScope } from "../../src/mazo/masked_scope.ts";
import { initHostLora, LoraAdapters } from "../../src/lora/lora.ts";
import { buildMasks, maskOverlap, type MaskSet } from "../../src/mazo/masks.ts";
import { LlamaModel } from "../../src/model/forward.ts";
import { loadModel } from "../../src/model/load.ts";
import { ParamStore } from "../../src/model/param_store.ts";
import type { HostWeights } from "../../src/model/weights.ts";
import { batchLossRef, buildMasksRef, calibrateRef, refScopeOf, zoStepRef } from "../../src/ref/mazo.ts";
import { encodeExample, type EncodedExample } from "../../src/tasks/encode.ts";
import { loadTasks } from "../../src/tasks/load.ts";
import { createFullScope } from "../../src/zo/full_scope.ts";
import type { ZoScope } from "../../src/zo/scope.ts";
import { ZoTrainer } from "../../src/zo/trainer.ts";
import { gpuOrSkip, releaseAfterSuites, withErrorScopes } from "../harness/gpu.ts";

const verbose = process.env.MAZO_TEST_VERBOSE === "1";
const dir = join(dataDir(), "stories260K");
const TASKS = ["sst2", "trec", "copa"];
/** MeZO's eps. */
const EPS = 1e-3;
/**
 * The masked fidelity steps use eps 1e-2: at 1e-3 a 5% mask moves the loss by ~1e-3, where the f32
 * forward's rounding (~1e-7 of the loss) is already ~3e-4 of g, too close to the 1e-3 bound.
 */
const EPS_MASKED = 1e-2;

function cloneWeights(w: HostWeights): HostWeights {
  return { config: { ...w.config }, tensors: w.tensors.map((t) => ({ name: t.name, shape: [...t.shape], data: t.data.slice() })) };
}

function relDiff(a: number, b: number): number {
  return Math.abs(a - b) / Math.max(Math.abs(a), Math.abs(b), 1e-12);
}

/** MeZO (FullScope, float mode) with its restore replaced by a copy of the arenas saved at begin(): exact. */
class CopyRestoreScope implements ZoScope {
  readonly kind = "full-copy-restore";
  readonly #inner: ZoScope;
  readonly #store: ParamStore;
  readonly #saved: GPUBuffer[];
  readonly #ctx: GpuContext;
  constructor(ctx: GpuContext, inner: ZoScope, store: ParamStore) {
    this.#ctx = ctx;
    this.#inner = inner;
    this.#store = store;
    this.#saved = store.buffers.map((b, i) => ctx.memory.createBuffer({ label: `test.saved[${i}]`, size: b.buffer.size, usage: GPUBufferUsage.COPY_SRC | GPUBufferUsage.COPY_DST }, "workspace"));
  }
  get trainable(): number {
    return this.#inner.trainable;
  }
  get extraBytes(): number {
    return this.#inner.extraBytes + this.#saved.reduce((a, b) => a + b.size, 0);
  }
  begin(rec: Recorder): void {
    this.#store.buffers.forEach((b, i) => rec.copy(b.buffer, 0, this.#saved[i]!, 0, b.buffer.size));
  }
  perturb(rec: Recorder, seed: number, scale: number): void {
    this.#inner.perturb(rec, seed, scale);
  }
  restore(rec: Recorder): void {
    this.#store.buffers.forEach((b, i) => rec.copy(this.#saved[i]!, 0, b.buffer, 0, b.buffer.size));
  }
  update(rec: Recorder, seed: number, coef: number, decay: number): void {
    this.#inner.update(rec, seed, coef, decay);
  }
  destroy(): void {
    this.#inner.destroy();
    for (const b of this.#saved) this.#ctx.memory.destroy(b);
  }
}

/** Runs `steps` trainer steps of `scope` on `model` over `batch`; returns each step's g. */
async function trainSteps(ctx: GpuContext, model: LlamaModel, scope: ZoScope, batch: readonly EncodedExample[], steps: number, lr: number, seed: number, eps = EPS, seqsPerPass = 64): Promise<{ g: number[]; seeds: number[] }> {
  const trainer = new ZoTrainer(ctx, scope, { seed, lr, eps, weightDecay: 0.01 });
  const score = modelScoreFn(model, seqsPerPass);
  const g: number[] = [], seeds: number[] = [];
  for (let i = 0; i < steps; i++) {
    const r = await trainer.stepWith(() => batchLoss(batch, score));
    g.push(r.g[0]!);
    seeds.push(r.seeds[0]!);
  }
  return { g, seeds };
}

const ctx = await gpuOrSkip("mazo");
if (ctx) {
  const weights = (await loadModel(join(dir, "stories260K.bin"))).weights;
  const tokenizer = await tokenizerFromFile(dir);
  const splits = await loadTasks(TASKS, { seed: 7, sizes: { train: 6, dev: 2, test: 1 } });
  const calTasks = splits.map((s) => ({ task: s.task, examples: s.train }));
  const calOptions = { examples: 3 };
  // One example of each task: the batch every fidelity step scores (MeZO's loss, mean over examples).
  const batch = splits.map((s) => encodeExample(s.train[0]!, tokenizer, { maxLength: 48 }));
  const engine = await loadMaskEngine();
  let gpuStats: TaskStats[] = [];
  let refStats: TaskStats[] = [];

  const cal = suite("calibrate() and buildMasks() on stories260K");
  let model: LlamaModel;
  cal.before(() => {
    model = new LlamaModel(ctx, ParamStore.upload(ctx, weights));
  });
  cal.after(() => {
    model.releaseActivations();
    model.store.destroy(ctx);
  });

  cal("calibrate() input norms match calibrateRef() to 1e-4 relative for every weight and task", async () => {
    gpuStats = await withErrorScopes(ctx, () => calibrate(model, tokenizer, calTasks, { ...calOptions, batchSize: 12 }));
    refStats = calibrateRef(weights, tokenizer, calTasks, calOptions);
    assert.is(gpuStats.length, 3);
    assert.is(model.adapters.size, 0, "calibration must detach its taps");
    let worst = 0;
    gpuStats.forEach((g, t) => {
      const r = refStats[t]!;
      assert.is(g.task, r.task);
      assert.is(g.tokens, r.tokens);
      assert.is(g.norms.size, 35, "7 weights x 5 layers");
      for (const [name, xn] of g.norms) {
        const want = r.norms.get(name)!;
        assert.is(xn.length, want.length, name);
        for (let j = 0; j < xn.length; j++) {
          assert.ok(want[j]! > 0, `${g.task} ${name}[${j}] norm is ${want[j]}`);
          const d = relDiff(xn[j]!, want[j]!);
          worst = Math.max(worst, d);
          assert.ok(d <= 1e-4, `${g.task} ${name}[${j}]: gpu ${xn[j]} ref ${want[j]}`);
        }
      }
    });
    if (verbose) console.log(`  calibration: worst relative difference ${worst.toExponential(2)}`);
  });

  cal("masks from GPU statistics (Wasm engine) equal masks from reference statistics (plain loops)", () => {
    for (const method of ["mazo", "single-task", "sparse-mezo", "random"] as const) {
      for (const keep of [0.01, 0.05, 0.1]) {
        const a = buildMasks(engine, weights, gpuStats, { method, keep, task: "trec" });
        const b = buildMasksRef(weights, refStats, { method, keep, task: "trec" });
        assert.is(a.masks.size, 35);
        assert.is(a.trainable, b.trainable);
        for (const [name, m] of a.masks) assert.equal(m.indices, b.masks.get(name)!.indices, `${method} keep ${keep}: ${name}`);
      }
    }
    const sets = Object.fromEntries((["mazo", "single-task", "sparse-mezo", "random"] as const).map((m) => [m, buildMasks(engine, weights, gpuStats, { method: m, keep: 0.05, task: "sst2" })]));
    const overlap = (x: string, y: string): number => maskOverlap(sets[x]!, sets[y]!);
    // MaZO's importance mask and Sparse-MeZO's small-magnitude mask are nearly disjoint by construction.
    assert.ok(overlap("mazo", "sparse-mezo") < 0.1, `mazo vs sparse-mezo overlap ${overlap("mazo", "sparse-mezo")}`);
    assert.ok(overlap("mazo", "single-task") > overlap("mazo", "random"), "the sst2-only mask should resemble the 3-task mask more than a random one does");
    if (verbose) {
      for (const [x, y] of [["mazo", "single-task"], ["mazo", "sparse-mezo"], ["mazo", "random"], ["sparse-mezo", "random"]] as const) console.log(`  overlap (Jaccard) ${x} vs ${y} at keep 5%: ${overlap(x, y).toFixed(4)}`);
    }
  });
  cal.run();

  const fid = suite("MaZO and MeZO steps: GPU path against the reference path");
  fid("3 MaZO steps (keep 5%): projected gradients agree to 1e-3 relative; the masked entries move as the reference's, the others stay bit-identical", async () => {
    const set = buildMasks(engine, weights, gpuStats, { keep: 0.05 });
    const store = ParamStore.upload(ctx, weights);
    const m = new LlamaModel(ctx, store);
    const scope = new MaskedScope(ctx, store, set.masks);
    try {
      assert.is(scope.trainable, set.trainable);
      const { g, seeds } = await withErrorScopes(ctx, () => trainSteps(ctx, m, scope, batch, 3, 1e-3, 11, EPS_MASKED));
      const w = cloneWeights(weights);
      const scope0 = refScopeOf(set);
      seeds.forEach((seed, i) => {
        const r = zoStepRef(w, scope0, (x) => batchLossRef(x, batch), { seed, eps: EPS_MASKED, lr: 1e-3, weightDecay: 0.01 });
        if (verbose) console.log(`  mazo step ${i}: g gpu ${g[i]} ref ${r.g}`);
        assert.ok(relDiff(g[i]!, r.g) <= 1e-3, `step ${i}: g gpu ${g[i]} vs ref ${r.g}`);
      });
      const after = await store.download(ctx);
      const changed = assertOutsideUnchanged(after, weights, set);
      // Every masked entry moves (z = 0 or an update below half an ulp is rare: allow 5%).
      assert.ok(changed >= 0.95 * set.trainable, `only ${changed} of ${set.trainable} masked entries changed`);
      // And by the reference's amount: the GPU's movement projected on the reference's, over the latter's
      // squared length, is 1 up to the 1e-3 agreement of g.
      const { ratio, worst } = movementAgreement(after, w, weights, set);
      if (verbose) console.log(`  mazo: ${changed} of ${set.trainable} masked entries moved; movement gpu/ref ${ratio}, worst entry ${worst.toExponential(2)}`);
      assert.ok(Math.abs(ratio - 1) <= 2e-3, `masked entries moved ${ratio} times the reference's movement`);
      assert.ok(worst <= 5e-3, `an entry's movement differs from the reference's by ${worst} of the largest movement`);
    } finally {
      scope.destroy();
      m.releaseActivations();
      store.destroy(ctx);
    }
  });

  fid("3 MeZO steps (FullScope): projected gradients agree with the reference to 1e-3 relative", async () => {
    const store = ParamStore.upload(ctx, weights);
    const m = new LlamaModel(ctx, store);
    const scope = await createFullScope(ctx, store);
    try {
      const { g, seeds } = await withErrorScopes(ctx, () => trainSteps(ctx, m, scope, batch, 3, 3e-5, 12));
      const w = cloneWeights(weights);
      seeds.forEach((seed, i) => {
        const r = zoStepRef(w, "all", (x) => batchLossRef(x, batch), { seed, eps: EPS, lr: 3e-5, weightDecay: 0.01 });
        if (verbose) console.log(`  mezo step ${i}: g gpu ${g[i]} ref ${r.g}`);
        assert.ok(relDiff(g[i]!, r.g) <= 1e-3, `step ${i}: g gpu ${g[i]} vs ref ${r.g}`);
      });
    } finally {
      scope.destroy();
      m.releaseActivations();
      store.destroy(ctx);
    }
  });

  fid("keep = 100%: MaZO equals MeZO with an exact restore bit for bit (g and weights), 2 steps on a COPA example", async () => {
    const set = buildMasks(engine, weights, gpuStats, { keep: 1, others: "full" });
    assert.is(set.trainable, set.total);
    const runs: { g: number[]; w: HostWeights }[] = [];
    const drift: number[] = [];
    for (const kind of ["mazo", "mezo-copy", "mezo-float"] as const) {
      const store = ParamStore.upload(ctx, weights);
      const m = new LlamaModel(ctx, store);
      // The masked scope decays the matrices it trains, so MeZO takes the "matrices" decay rule here
      // (its default, "mezo", also decays the embeddings; test/gpu/decay_rule.test.ts).
      const full = () => createFullScope(ctx, store, { decayRule: "matrices" });
      const scope: ZoScope = kind === "mazo" ? new MaskedScope(ctx, store, set.masks) : kind === "mezo-copy" ? new CopyRestoreScope(ctx, await full(), store) : await full();
      try {
        assert.is(scope.trainable, set.total, kind);
        const { g } = await withErrorScopes(ctx, () => trainSteps(ctx, m, scope, batch.slice(2), 2, 1e-3, 13));
        runs.push({ g, w: await store.download(ctx) });
      } finally {
        scope.destroy();
        m.releaseActivations();
        store.destroy(ctx);
      }
    }
    const [mazo, copy, float] = runs as [typeof runs[0], typeof runs[0], typeof runs[0]];
    mazo.g.forEach((g, i) => assert.ok(Object.is(g, copy.g[i]), `step ${i}: g ${g} vs ${copy.g[i]}`));
    mazo.w.tensors.forEach((t, id) => {
      const o = copy.w.tensors[id]!.data;
      for (let i = 0; i < t.data.length; i++) if (!Object.is(t.data[i], o[i])) assert.unreachable(`${t.name}[${i}]: ${t.data[i]} vs ${o[i]}`);
    });
    // Float-mode MeZO restores by a third perturbation: its first g is identical, later ones drift slightly.
    assert.ok(Object.is(mazo.g[0], float.g[0]), "the first step precedes any restore");
    mazo.g.forEach((g, i) => drift.push(relDiff(g, float.g[i]!)));
    assert.ok(Math.max(...drift) < 1e-2, `float-mode MeZO g drifted by ${Math.max(...drift)}`);
    if (verbose) console.log(`  keep 100%: g ${mazo.g.join(", ")}; float-mode MeZO relative g differences ${drift.map((d) => d.toExponential(1)).join(", ")}`);
  });
  fid("LoRA-MaZO: 2 steps train all of A and only B's kept rows; the other rows of B stay exactly zero", async () => {
    const store = ParamStore.upload(ctx, weights);
    const m = new LlamaModel(ctx, store);
    const lora = new LoraAdapters(ctx, initHostLora(weights.config, { rank: 4, alpha: 8, targets: ["wq", "wv"], seed: 3 }));
    lora.attach(m);
    const masks = loraMasks(lora, weights, gpuStats, { keep: 0.25 });
    const scope = createLoraMaskedScope(ctx, lora.arenas, masks);
    try {
      const rowsKept = lora.entries.reduce((a, e) => a + Math.round(0.25 * e.outDim), 0);
      assert.is(scope.trainable, lora.entries.reduce((a, e) => a + 4 * e.inDim, 0) + 4 * rowsKept);
      const before = await lora.download();
      await withErrorScopes(ctx, () => trainSteps(ctx, m, scope, batch.slice(2), 2, 1e-2, 15));
      const after = await lora.download();
      lora.entries.forEach((e, k) => {
        const kept = new Set(masks.get(e.idB)!);
        after.b[k]!.forEach((v, i) => {
          if (kept.has(i)) assert.ok(v !== 0, `${e.weight} B[${i}] is kept but did not move`);
          else assert.ok(Object.is(v, 0), `${e.weight} B[${i}] = ${v} outside the kept rows`);
        });
        const movedA = after.a[k]!.filter((v, i) => v !== before.a[k]![i]).length;
        assert.ok(movedA > 0.95 * after.a[k]!.length, `${e.weight}: only ${movedA} entries of A moved`);
      });
    } finally {
      scope.destroy();
      lora.detach(m);
      lora.destroy();
      m.releaseActivations();
      store.destroy(ctx);
    }
  });
  fid.run();

  const split = await gpuOrSkip("mazo-split", { bindingCap: 40 * 1024 });
  if (split) {
    const sp = suite("MaskedScope over split arena bindings");
    sp("masks spanning several arena buffers train exactly the masked entries", async () => {
      const set = buildMasks(engine, weights, gpuStats, { keep: 0.1, others: "magnitude" });
      const store = ParamStore.upload(split, weights);
      assert.ok(store.buffers.length > 1, "the store must span several buffers");
      assert.ok(store.entry("tok_embeddings").tensor.chunks.length > 1, "the embedding must be split");
      const m = new LlamaModel(split, store);
      const scope = new MaskedScope(split, store, set.masks);
      try {
        assert.is(scope.trainable, set.trainable);
        assert.ok(scope.extraBytes >= set.trainable * 8, `extraBytes ${scope.extraBytes} must count the positions and saved values of ${set.trainable} entries`);
        await withErrorScopes(split, () => trainSteps(split, m, scope, batch.slice(2), 2, 1e-2, 14, EPS, 1));
        const after = await store.download(split);
        const changed = assertOutsideUnchanged(after, weights, set);
        assert.ok(changed > 0.9 * set.trainable, `only ${changed} of ${set.trainable} masked entries changed`);
      } finally {
        scope.destroy();
        m.releaseActivations();
        store.destroy(split);
      }
    });
    sp.run();
    releaseAfterSuites(split);
  }
  releaseAfterSuites(ctx);
}

/**
 * How the masked entries' movement (after - before) agrees with the reference's (want - before):
 * ratio = <gpu, ref> / <ref, ref>, and worst = max |gpu - ref| over the largest |ref| movement.
 */
function movementAgreement(after: HostWeights, want: HostWeights, before: HostWeights, set: MaskSet): { ratio: number; worst: number } {
  let dot = 0, norm = 0, worst = 0, largest = 0;
  after.tensors.forEach((t, id) => {
    const m = set.masks.get(t.name);
    if (m === undefined) return;
    const b = before.tensors[id]!.data, r = want.tensors[id]!.data;
    for (const i of m.indices) {
      const dg = t.data[i]! - b[i]!, dr = r[i]! - b[i]!;
      dot += dg * dr;
      norm += dr * dr;
      worst = Math.max(worst, Math.abs(dg - dr));
      largest = Math.max(largest, Math.abs(dr));
    }
  });
  return { ratio: dot / norm, worst: worst / largest };
}

/** Asserts every entry outside the masks equals `before` bit for bit; returns how many masked entries changed. */
function assertOutsideUnchanged(after: HostWeights, before: HostWeights, set: MaskSet): number {
  let changed = 0;
  after.tensors.forEach((t, id) => {
    const b = before.tensors[id]!.data;
    const kept = set.masks.get(t.name)?.bitset;
    for (let i = 0; i < t.data.length; i++) {
      const inMask = kept !== undefined && ((kept[i >>> 5]! >>> (i & 31)) & 1) === 1;
      if (inMask) {
        if (t.data[i] !== b[i]) changed++;
      } else if (!Object.is(t.data[i], b[i])) {
        assert.unreachable(`${t.name}[${i}] is outside the mask but changed: ${b[i]} -> ${t.data[i]}`);
      }
    }
  });
  return changed;
}
