// The ZO engine on the GPU: SPSA estimates converge to a known gradient (least squares built from the
// matmul kernel), ZO-SGD reduces it, restore drift (float vs exact), replay is bit-identical to training
// (float and exact), the memory of a training step versus a forward pass, and the NaN guard.
import { suite } from "uvu";
import * as assert from "uvu/assert";
import process from "node:process";
import type { GpuContext } from "../../src/gpu/context.ts";
import { Recorder } from "../../src/gpu/recorder.ts";
import { chunkBinding, createTensor, destroyTensor, readBuffers, readTensor, type Tensor, uploadTensor } from "../../src/gpu/tensor.ts";
import { matmul } from "../../src/kernels/matmul.ts";
import { LlamaModel } from "../../src/model/forward.ts";
import { ParamStore } from "../../src/model/param_store.ts";
import { zValue } from "../../src/ref/rng.ts";
import { ArenaScope, GridError } from "../../src/zo/arena_scope.ts";
import { createFullScope } from "../../src/zo/full_scope.ts";
import { encodeTexts, lmBatchLoss, lmLossForStep, lmSequences } from "../../src/zo/losses.ts";
import { replay } from "../../src/zo/replay.ts";
import { probeSeed } from "../../src/zo/seeds.ts";
import { type StepRecord, ZoAbortError, ZoTrainer } from "../../src/zo/trainer.ts";
import { headerLine, parseTrajectory, stepLine, weightsHash } from "../../src/zo/trajectory.ts";
import { gpuOrSkip, releaseAfterSuites, withErrorScopes } from "../harness/gpu.ts";
import { rngFor } from "../harness/random.ts";
import { loadStories, storySentences, weightDiff } from "./zo_fixtures.ts";

const verbose = process.env.MAZO_TEST_VERBOSE === "1";
let last = performance.now();
const log = (s: string): void => {
  const now = performance.now();
  if (verbose) console.log(`  [${((now - last) / 1000).toFixed(1)}s] ${s}`);
  last = now;
};

/** Least squares loss = mean((X Wᵀ - Y)^2) with W (N, K) in an arena split over two segments. */
function leastSquares(ctx: GpuContext, T: number, K: number, N: number, seed: string) {
  const rng = rngFor(seed);
  const X = rng.normals(T * K), Y = rng.normals(T * N), W0 = rng.normals(N * K, 0.5);
  const rowsA = Math.ceil(N / 2), gap = 64; // W rows [0, rowsA) at element 0, the rest at element 64*ceil(..)
  const startB = Math.ceil((rowsA * K) / gap) * gap;
  const elems = startB + (N - rowsA) * K;
  const buffer = ctx.memory.createBuffer({ label: "ls.arena", size: elems * 4, usage: GPUBufferUsage.STORAGE | GPUBufferUsage.COPY_SRC | GPUBufferUsage.COPY_DST }, "weights");
  const host = new Float32Array(elems);
  host.set(W0.subarray(0, rowsA * K), 0);
  host.set(W0.subarray(rowsA * K), startB);
  ctx.device.queue.writeBuffer(buffer, 0, host);
  const id = 5;
  const w: Tensor<"f32"> = {
    label: "ls.W", dtype: "f32", shape: [N, K], rowElems: K, category: "weights", slackElems: 0,
    chunks: [{ buffer, offset: 0, bytes: rowsA * K * 4, row0: 0, rows: rowsA }, { buffer, offset: startB * 4, bytes: (N - rowsA) * K * 4, row0: rowsA, rows: N - rowsA }],
  };
  const segments = new Uint32Array([id, 0, rowsA * K, 0, id, startB, (N - rowsA) * K, rowsA * K]);
  const maxRowsPerChunk = Math.ceil(T / 3);
  const x = uploadTensor(ctx, "ls.X", [T, K], "f32", X, "workspace", { maxRowsPerChunk });
  const y = createTensor(ctx, "ls.Yhat", [T, N], "f32", "workspace", { maxRowsPerChunk });
  const mse = (yh: Float32Array): number => {
    let s = 0;
    for (let i = 0; i < yh.length; i++) s += (yh[i]! - Y[i]!) ** 2;
    return s / yh.length;
  };
  const loss = async (): Promise<number> => {
    const rec = new Recorder(ctx, "ls.loss");
    matmul(ctx, rec, x, w, y);
    rec.submit();
    return mse(await readTensor(ctx, y));
  };
  const readW = async (): Promise<Float32Array> => await readTensor(ctx, w);
  /** True gradient at W: (2 / (T N)) Rᵀ X with R = X Wᵀ - Y, float64. */
  const gradient = (W: Float32Array): Float64Array => {
    const g = new Float64Array(N * K);
    for (let t = 0; t < T; t++) {
      for (let n = 0; n < N; n++) {
        let r = -Y[t * N + n]!;
        for (let k = 0; k < K; k++) r += X[t * K + k]! * W[n * K + k]!;
        for (let k = 0; k < K; k++) g[n * K + k] = g[n * K + k]! + (2 / (T * N)) * r * X[t * K + k]!;
      }
    }
    return g;
  };
  const arena = { label: "ls", buffer, elems, segments };
  const destroy = (): void => {
    for (const b of [buffer, ...x.chunks.map((c) => c.buffer), ...y.chunks.map((c) => c.buffer)]) ctx.memory.destroy(b);
  };
  return { id, arena, loss, mse, readW, gradient, destroy, numel: N * K, x, w, T, N, rowsPerChunk: maxRowsPerChunk };
}

function cosine(a: ArrayLike<number>, b: ArrayLike<number>): number {
  let ab = 0, aa = 0, bb = 0;
  for (let i = 0; i < a.length; i++) {
    ab += a[i]! * b[i]!;
    aa += a[i]! ** 2;
    bb += b[i]! ** 2;
  }
  return ab / Math.sqrt(aa * bb);
}

const ctx = await gpuOrSkip("zo");
if (ctx) {
  const ls = suite("SPSA on least squares");

  ls("the mean of 2,000 SPSA estimates g z has cosine >= 0.9 with the true gradient (W split over 2 segments, X over 3 chunks)", async () => {
    await withErrorScopes(ctx, async () => {
      const p = leastSquares(ctx, 23, 13, 7, "spsa");
      const scope = new ArenaScope(ctx, [p.arena], { kind: "ls", decay: () => false });
      const W = await p.readW();
      const truth = p.gradient(W);
      const est = new Float64Array(p.numel);
      const wrong = new Float64Array(p.numel); // control: z of another tensor id, uncorrelated
      const eps = 1e-2, probes = 2000, batch = 100;
      // Batched: each probe's two forward outputs go to their own tensors, read back once per batch.
      const outs = Array.from({ length: 2 * batch }, (_, i) => createTensor(ctx, `spsa.y${i}`, [p.T, p.N], "f32", "workspace", { maxRowsPerChunk: p.rowsPerChunk }));
      const rec = new Recorder(ctx, "spsa");
      for (let j0 = 0; j0 < probes; j0 += batch) {
        const seeds: number[] = [];
        for (let j = 0; j < batch; j++) {
          const seed = probeSeed(12345, 0, j0 + j);
          seeds.push(seed);
          scope.perturb(rec, seed, eps);
          matmul(ctx, rec, p.x, p.w, outs[2 * j]!);
          scope.perturb(rec, seed, -2 * eps);
          matmul(ctx, rec, p.x, p.w, outs[2 * j + 1]!);
          scope.restore(rec, seed, eps);
        }
        rec.submit();
        // One readback for the whole batch: every chunk of every output.
        const raw = await readBuffers(ctx, outs.flatMap((t) => t.chunks.map(chunkBinding)));
        const ys = outs.map((t, o) => {
          const y = new Float32Array(p.T * p.N);
          t.chunks.forEach((c, k) => y.set(new Float32Array(raw[o * t.chunks.length + k]!, 0, c.rows * p.N), c.row0 * p.N));
          return y;
        });
        seeds.forEach((seed, j) => {
          const g = (p.mse(ys[2 * j]!) - p.mse(ys[2 * j + 1]!)) / (2 * eps);
          for (let i = 0; i < p.numel; i++) {
            est[i] = est[i]! + (g * zValue(seed, p.id, i)) / probes;
            wrong[i] = wrong[i]! + (g * zValue(seed, p.id + 1, i)) / probes;
          }
        });
      }
      for (const t of outs) destroyTensor(ctx, t);
      const c = cosine(est, truth);
      const control = cosine(wrong, truth);
      log(`SPSA cosine with the true gradient over ${probes} probes: ${c.toFixed(4)} (d = ${p.numel}; control with another tensor's z: ${control.toFixed(4)})`);
      assert.ok(c >= 0.9, `cosine ${c}`);
      assert.ok(Math.abs(control) < 0.5, `control cosine ${control}`);
      scope.destroy();
      p.destroy();
    });
  });

  ls("ZO-SGD through ZoTrainer reduces the least-squares loss by more than 30% in 150 steps", async () => {
    await withErrorScopes(ctx, async () => {
      const p = leastSquares(ctx, 23, 13, 7, "zosgd");
      const scope = new ArenaScope(ctx, [p.arena], { kind: "ls", decay: () => false });
      const trainer = new ZoTrainer(ctx, scope, { seed: 7, lr: 0.01, eps: 1e-3 });
      const before = await p.loss();
      for (let s = 0; s < 150; s++) await trainer.stepWith(p.loss);
      const after = await p.loss();
      log(`least squares: loss ${before.toFixed(4)} -> ${after.toFixed(4)} after 150 ZO-SGD steps`);
      assert.ok(after < 0.7 * before, `loss ${before} -> ${after}`);
      scope.destroy();
      p.destroy();
    });
  });

  const { weights, tokenizer } = await loadStories();
  const texts = storySentences(16, 0);
  const examples = encodeTexts(texts, tokenizer, 20);

  const st = suite("MeZO on stories260K: drift, replay, memory");

  for (const exact of [false, true]) {
    st(`restore drift in ${exact ? "exact" : "float"} mode ${exact ? "is exactly 0" : "is at most a few ulps"} over 3 probes`, async () => {
      await withErrorScopes(ctx, async () => {
        const store = ParamStore.upload(ctx, weights);
        const scope = await createFullScope(ctx, store, exact ? { exact: true, eps: 1e-3, weights } : {});
        const before = await store.download(ctx);
        const rec = new Recorder(ctx, "drift");
        for (let j = 0; j < 3; j++) {
          const seed = probeSeed(99, 0, j);
          scope.begin(rec);
          scope.perturb(rec, seed, 1e-3);
          scope.perturb(rec, seed, -2e-3);
          scope.restore(rec, seed, 1e-3);
        }
        rec.submit();
        const after = await store.download(ctx);
        const d = weightDiff(before, after);
        log(`${scope.kind}: restore drift max |diff| ${d.maxAbs.toExponential(3)}, ${d.differing} of ${d.total} elements changed`);
        if (exact) {
          assert.is(d.differing, 0);
          await scope.verify();
        } else {
          assert.ok(d.differing > 0, "float mode is expected to drift (else the exact mode is pointless)");
          assert.ok(d.maxAbs < 1e-5, `float drift ${d.maxAbs}`);
        }
        scope.destroy();
        store.destroy(ctx);
      });
    });

    st(`replay of a 4-step ${exact ? "exact" : "float"} trajectory (q = 2, momentum, wd) is bit-identical to training`, async () => {
      await withErrorScopes(ctx, async () => {
        const store = ParamStore.upload(ctx, weights);
        const model = new LlamaModel(ctx, store);
        const scope = await createFullScope(ctx, store, exact ? { exact: true, eps: 1e-3, weights } : {});
        const opts = { seed: 2024, lr: 1e-3, eps: 1e-3, probes: 2, momentum: 0.5, momentumWindow: 3, weightDecay: 0.1 };
        const trainer = new ZoTrainer(ctx, scope, opts);
        const lossFor = lmLossForStep(model, examples, 4, 1);
        let text = headerLine({ method: "mezo", scope: { kind: scope.kind, exact }, model: { hash: weightsHash(weights), params: 0, config: weights.config }, trainer: { ...opts } });
        for (let s = 0; s < 4; s++) text += stepLine(await trainer.stepWith(lossFor(s)));
        const trained = await store.download(ctx);
        const traj = parseTrajectory(text);
        assert.is(traj.steps.length, 4);
        assert.ok(traj.steps[3]!.updates.length === 2 * 3, "momentum re-applies the window's seeds");
        model.releaseActivations();
        scope.destroy();
        store.destroy(ctx);

        const store2 = ParamStore.upload(ctx, weights);
        const scope2 = await createFullScope(ctx, store2, exact ? { exact: true, eps: 1e-3, weights } : {});
        const t0 = performance.now();
        await replay(ctx, scope2, traj.steps);
        const ms = performance.now() - t0;
        const replayed = await store2.download(ctx);
        const d = weightDiff(trained, replayed);
        const moved = weightDiff(weights, trained);
        log(`${scope2.kind}: replay of 4 steps in ${ms.toFixed(0)} ms: ${d.differing} differing elements (training moved ${moved.differing} of ${moved.total})`);
        assert.ok(moved.differing > moved.total / 2, "training must have changed the weights");
        assert.is(d.differing, 0);
        scope2.destroy();
        store2.destroy(ctx);
      });
    });
  }

  st("a training step's peak GPU bytes are at most 1.05x a forward pass's (same model and batch)", async () => {
    await withErrorScopes(ctx, async () => {
      const store = ParamStore.upload(ctx, weights);
      const model = new LlamaModel(ctx, store);
      const seqs = lmSequences(examples.slice(0, 8));
      ctx.memory.resetPeak();
      await lmBatchLoss(model, seqs);
      const forward = ctx.memory.report().peakTotal;
      const scope = await createFullScope(ctx, store, {});
      const trainer = new ZoTrainer(ctx, scope, { seed: 1, lr: 1e-4, eps: 1e-3 });
      ctx.memory.resetPeak();
      await trainer.stepWith(() => lmBatchLoss(model, seqs));
      const step = ctx.memory.report().peakTotal;
      log(`memory: forward peak ${forward} B, training-step peak ${step} B, ratio ${(step / forward).toFixed(4)} (scope tables ${scope.extraBytes} B)`);
      assert.ok(step / forward <= 1.05, `ratio ${step / forward}`);
      assert.ok(step >= forward, "a step runs forward passes, so its peak cannot be lower");
      model.releaseActivations();
      scope.destroy();
      store.destroy(ctx);
    });
  });

  st("a non-finite loss skips the step, leaves exact-mode weights bit-identical, and aborts after N in a row", async () => {
    await withErrorScopes(ctx, async () => {
      const store = ParamStore.upload(ctx, weights);
      const scope = await createFullScope(ctx, store, { exact: true, eps: 1e-3, weights });
      const before = await store.download(ctx);
      const trainer = new ZoTrainer(ctx, scope, { seed: 3, lr: 1e-3, eps: 1e-3, maxNonFinite: 3 });
      const r1 = await trainer.stepWith(() => Promise.resolve(NaN));
      assert.ok(r1.skipped && r1.updates.length === 0 && r1.reason !== undefined);
      const r2 = await trainer.stepWith(() => Promise.resolve(Infinity));
      assert.ok(r2.skipped);
      assert.is(trainer.skippedTotal, 2);
      let aborted: ZoAbortError | null = null;
      try {
        await trainer.stepWith(() => Promise.resolve(NaN));
      } catch (e) {
        aborted = e as ZoAbortError;
      }
      assert.ok(aborted instanceof ZoAbortError, "the third consecutive non-finite step must abort");
      assert.is(aborted!.record.step, 2);
      assert.is(weightDiff(before, await store.download(ctx)).differing, 0);
      scope.destroy();
      store.destroy(ctx);
    });
  });

  st("exact mode fails loudly when the weights are changed off their grid behind its back", async () => {
    await withErrorScopes(ctx, async () => {
      const store = ParamStore.upload(ctx, weights);
      const scope = await createFullScope(ctx, store, { exact: true, eps: 1e-3, weights });
      // Overwrite part of one tensor with off-grid values.
      const e = store.entry("layers.0.wq");
      const c = e.tensor.chunks[0]!;
      ctx.device.queue.writeBuffer(c.buffer, c.offset, new Float32Array(16).fill(0.1234567));
      const trainer = new ZoTrainer(ctx, scope, { seed: 3, lr: 1e-3, eps: 1e-3 });
      let err: unknown = null;
      try {
        await trainer.stepWith(() => Promise.resolve(1));
      } catch (x) {
        err = x;
      }
      assert.ok(err instanceof GridError, `expected a GridError, got ${String(err)}`);
      scope.destroy();
      store.destroy(ctx);
    });
  });

  st("trainer state round-trips through JSON and a resumed trainer continues identically", async () => {
    await withErrorScopes(ctx, async () => {
      const run = async (split: boolean): Promise<StepRecord[]> => {
        const store = ParamStore.upload(ctx, weights);
        const model = new LlamaModel(ctx, store);
        const scope = await createFullScope(ctx, store, { exact: true, eps: 1e-3, weights });
        const opts = { seed: 11, lr: 1e-3, eps: 1e-3, momentum: 0.9, momentumWindow: 2 };
        const lossFor = lmLossForStep(model, examples, 2, 5);
        let trainer = new ZoTrainer(ctx, scope, opts);
        const out: StepRecord[] = [];
        for (let s = 0; s < 3; s++) {
          if (split && s === 2) trainer = new ZoTrainer(ctx, scope, opts, JSON.parse(JSON.stringify(trainer.state())));
          out.push(await trainer.stepWith(lossFor(s)));
        }
        model.releaseActivations();
        scope.destroy();
        store.destroy(ctx);
        return out;
      };
      const a = await run(false), b = await run(true);
      assert.equal(b.map((r) => r.g), a.map((r) => r.g));
      assert.equal(b.map((r) => r.updates), a.map((r) => r.updates));
    });
  });

  ls.run();
  st.run();
  releaseAfterSuites(ctx);
}
