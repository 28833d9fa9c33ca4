import { suite } from "uvu";
import * as assert from "uvu/assert";
import { Recorder } from "../../src/gpu/recorder.ts";
import { uploadTensor, writeTensor } from "../../src/gpu/tensor.ts";
import { colSumSq, colSumSqBlocks } from "../../src/kernels/colsumsq.ts";
import { colSumSqRef } from "../../src/ref/colsumsq.ts";
import { assertClose } from "../harness/compare.ts";
import { gpuOrSkip, releaseAfterSuites, withErrorScopes } from "../harness/gpu.ts";
import { rngFor } from "../harness/random.ts";
import { readChecked, sentinelTensor } from "../harness/sentinel.ts";

// Sums of non-negative terms in f32: each lane adds at most a few hundred terms, then short sums of
// lanes and blocks; the relative error stays far below 1e-5 (the worst-case bound n*eps is 3e-5 for
// n = 500 serial terms, the typical error sqrt(n)*eps ~ 1e-6).
const TOL = { atol: 1e-6, rtol: 1e-5 };

interface Case {
  readonly rows: number;
  readonly k: number;
  readonly maxRows?: number;
  readonly weights?: boolean;
  readonly accumulate?: boolean;
}

const cases: Case[] = [
  { rows: 0, k: 5 },
  { rows: 1, k: 1 },
  { rows: 7, k: 3 },
  { rows: 64, k: 65 },
  { rows: 3001, k: 7 },
  { rows: 20011, k: 5, weights: true },
  { rows: 509, k: 131, weights: true, accumulate: true },
  { rows: 97, k: 2053 },
  { rows: 1237, k: 67, maxRows: 300, weights: true },
  { rows: 41, k: 9, maxRows: 10, accumulate: true },
];

const ctx = await gpuOrSkip("colsumsq");
if (ctx) {
  const s = suite("colSumSq()");
  for (const c of cases) {
    const { blocks } = colSumSqBlocks(c.maxRows ?? c.rows, c.k);
    const name = `${c.rows}x${c.k}${c.maxRows ? ` split every ${c.maxRows} rows` : ""}${c.weights ? ", row weights" : ""}${c.accumulate ? ", accumulating" : ""} (${blocks} row block${blocks > 1 ? "s" : ""})`;
    s(`colSumSq() matches the reference on ${name}`, async () => {
      const rng = rngFor(`colsumsq ${name}`);
      const xh = rng.normals(c.rows * c.k);
      // Weights: padding rows (0) and random non-negative weights.
      const wh = c.weights ? Float32Array.from({ length: c.rows }, (_, t) => (t % 5 === 3 ? 0 : rng.next() * 2)) : undefined;
      const start = c.accumulate ? Float32Array.from({ length: c.k }, () => rng.next() * 10) : undefined;
      await withErrorScopes(ctx, async () => {
        const x = uploadTensor(ctx, "colsumsq.x", [c.rows, c.k], "f32", xh, "activations", c.maxRows === undefined ? {} : { maxRowsPerChunk: c.maxRows });
        if (c.maxRows !== undefined) assert.ok(x.chunks.length > 1, "the split case must really split x");
        const out = sentinelTensor(ctx, "colsumsq.out", [c.k]);
        if (start) writeTensor(ctx, out, start);
        const rec = new Recorder(ctx, "test.colsumsq");
        const rowWeights = wh ? uploadTensor(ctx, "colsumsq.w", [c.rows], "f32", wh, "activations") : undefined;
        colSumSq(ctx, rec, x, out, { ...(rowWeights ? { rowWeights } : {}), ...(c.accumulate ? { accumulate: true } : {}) });
        rec.submit();
        const got = await readChecked(ctx, out);
        const want = start ? Float32Array.from(start) : new Float32Array(c.k);
        colSumSqRef(xh, want, wh, c.accumulate);
        assertClose(got, want, { ...TOL, label: `colSumSq ${name}` });
      });
    });
  }

  s("colSumSq() cuts many rows into several row blocks and few rows into one", () => {
    assert.ok(colSumSqBlocks(3001, 7).blocks > 1);
    assert.ok(colSumSqBlocks(100000, 4096).blocks > 1);
    assert.is(colSumSqBlocks(64, 65).blocks, 1);
    assert.is(colSumSqBlocks(0, 8).blocks, 1);
    assert.is(colSumSqBlocks(100000, 1 << 18).blocks, 1, "K beyond the scratch: one block written straight to out");
  });

  s("colSumSq() overwrites out without accumulate and reuses its scratch across calls in one submit", async () => {
    const rng = rngFor("colsumsq twice");
    const [rows, k] = [2000, 9];
    const ah = rng.normals(rows * k);
    const bh = rng.normals(rows * k, 3);
    await withErrorScopes(ctx, async () => {
      const a = uploadTensor(ctx, "colsumsq.twice.a", [rows, k], "f32", ah, "activations");
      const b = uploadTensor(ctx, "colsumsq.twice.b", [rows, k], "f32", bh, "activations");
      const outA = sentinelTensor(ctx, "colsumsq.twice.outA", [k]);
      const outB = sentinelTensor(ctx, "colsumsq.twice.outB", [k]);
      writeTensor(ctx, outB, new Float32Array(k).fill(1e6));
      const rec = new Recorder(ctx, "test.colsumsq.twice");
      colSumSq(ctx, rec, a, outA);
      colSumSq(ctx, rec, b, outB);
      rec.submit();
      const wantA = new Float32Array(k);
      colSumSqRef(ah, wantA);
      const wantB = new Float32Array(k);
      colSumSqRef(bh, wantB);
      assertClose(await readChecked(ctx, outA), wantA, { ...TOL, label: "colSumSq first call" });
      assertClose(await readChecked(ctx, outB), wantB, { ...TOL, label: "colSumSq second call" });
    });
  });

  s("colSumSq() rejects a wrong out length and row weights of the wrong length", () => {
    const x = uploadTensor(ctx, "colsumsq.bad.x", [6, 4], "f32", new Float32Array(24), "activations");
    const out3 = uploadTensor(ctx, "colsumsq.bad.out3", [3], "f32", new Float32Array(3), "workspace");
    const out4 = uploadTensor(ctx, "colsumsq.bad.out4", [4], "f32", new Float32Array(4), "workspace");
    const w5 = uploadTensor(ctx, "colsumsq.bad.w5", [5], "f32", new Float32Array(5), "activations");
    const rec = new Recorder(ctx, "test.colsumsq.bad");
    assert.throws(() => colSumSq(ctx, rec, x, out3), (e: unknown) => e instanceof RangeError && /out .* expected \[4\]/.test(e.message));
    assert.throws(() => colSumSq(ctx, rec, x, out4, { rowWeights: w5 }), (e: unknown) => e instanceof RangeError && /rowWeights .* expected \[6\]/.test(e.message));
    assert.is(rec.dispatchCount, 0);
  });

  s.run();
  releaseAfterSuites(ctx);
}
