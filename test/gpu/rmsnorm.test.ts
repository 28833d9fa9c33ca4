import { suite } from "uvu";
import * as assert from "uvu/assert";
import { Recorder } from "../../src/gpu/recorder.ts";
import { uploadTensor } from "../../src/gpu/tensor.ts";
import { rmsnorm } from "../../src/kernels/rmsnorm.ts";
import { rmsnormRef } from "../../src/ref/rmsnorm.ts";
import { assertClose } from "../harness/compare.ts";
import { gpuOrSkip, releaseAfterSuites, withErrorScopes } from "../harness/gpu.ts";
import { rngFor } from "../harness/random.ts";
import { readChecked, sentinelTensor } from "../harness/sentinel.ts";

// f32 sum of D squares (strided partial sums plus a tree) and one sqrt: a few ulp of relative error.
const TOL = { atol: 1e-6, rtol: 1e-5 };

const ctx = await gpuOrSkip("rmsnorm");
if (ctx) {
  const s = suite("rmsnorm()");
  // [rows, D, rows per chunk, input scale]: size 1, primes, D not a multiple of the workgroup, D up to
  // 8192, a split operand, and large/small magnitudes where eps matters or squares are big.
  const cases: [number, number, number | undefined, number][] = [
    [1, 1, undefined, 1],
    [3, 7, undefined, 1],
    [5, 257, undefined, 1],
    [17, 64, undefined, 1],
    [2, 8192, undefined, 1],
    [31, 300, 7, 1],
    [4, 129, undefined, 1e3],
    [4, 33, undefined, 1e-3],
  ];
  for (const [rows, d, maxRows, scale] of cases) {
    const name = `${rows}x${d}${maxRows ? ` split every ${maxRows} rows` : ""}${scale !== 1 ? ` at scale ${scale}` : ""}`;
    s(`rmsnorm() matches the reference on ${name}`, async () => {
      const rng = rngFor(`rmsnorm ${name}`);
      const xh = rng.normals(rows * d, scale);
      const wh = rng.normals(d);
      const eps = 1e-5;
      const opt = maxRows === undefined ? {} : { maxRowsPerChunk: maxRows };
      await withErrorScopes(ctx, async () => {
        const x = uploadTensor(ctx, "rmsnorm.x", [rows, d], "f32", xh, "workspace", opt);
        const w = uploadTensor(ctx, "rmsnorm.w", [d], "f32", wh, "weights");
        const y = sentinelTensor(ctx, "rmsnorm.y", [rows, d], maxRows);
        if (maxRows !== undefined) assert.ok(x.chunks.length > 1, "the split case must really split x");
        const rec = new Recorder(ctx, "test.rmsnorm");
        rmsnorm(ctx, rec, x, w, y, eps);
        rec.submit();
        const got = await readChecked(ctx, y);
        const want = new Float32Array(rows * d);
        rmsnormRef(xh, wh, want, eps);
        assertClose(got, want, { ...TOL, shape: [rows, d], label: `rmsnorm ${name}` });
      });
    });
  }

  s("rmsnorm() uses eps: an all-zero row stays finite and zero", async () => {
    await withErrorScopes(ctx, async () => {
      const x = uploadTensor(ctx, "rmsnorm.zero.x", [2, 5], "f32", new Float32Array([0, 0, 0, 0, 0, 1, 2, 3, 4, 5]), "workspace");
      const w = uploadTensor(ctx, "rmsnorm.zero.w", [5], "f32", new Float32Array([1, 1, 1, 1, 1]), "weights");
      const y = sentinelTensor(ctx, "rmsnorm.zero.y", [2, 5]);
      const rec = new Recorder(ctx, "test.rmsnorm.zero");
      rmsnorm(ctx, rec, x, w, y, 1e-6);
      rec.submit();
      const got = await readChecked(ctx, y);
      const want = new Float32Array(10);
      rmsnormRef(new Float32Array([0, 0, 0, 0, 0, 1, 2, 3, 4, 5]), new Float32Array([1, 1, 1, 1, 1]), want, 1e-6);
      assertClose(got, want, { ...TOL, shape: [2, 5], label: "rmsnorm zero row" });
    });
  });

  s("rmsnorm() rejects a weight of the wrong length, mismatched y and in-place use", () => {
    const x = uploadTensor(ctx, "rmsnorm.bad.x", [3, 8], "f32", new Float32Array(24), "workspace");
    const w7 = uploadTensor(ctx, "rmsnorm.bad.w7", [7], "f32", new Float32Array(7), "weights");
    const w8 = uploadTensor(ctx, "rmsnorm.bad.w8", [8], "f32", new Float32Array(8), "weights");
    const y4 = uploadTensor(ctx, "rmsnorm.bad.y4", [4, 8], "f32", new Float32Array(32), "workspace");
    const rec = new Recorder(ctx, "test.rmsnorm.bad");
    assert.throws(() => rmsnorm(ctx, rec, x, w7, x, 1e-5), (e: unknown) => e instanceof RangeError && /weight .* expected \[8\]/.test(e.message));
    assert.throws(() => rmsnorm(ctx, rec, x, w8, y4, 1e-5), (e: unknown) => e instanceof RangeError && /expected \[3, 8\]/.test(e.message));
    assert.throws(() => rmsnorm(ctx, rec, x, w8, x, 1e-5), (e: unknown) => e instanceof RangeError && /not in place/.test(e.message));
    assert.is(rec.dispatchCount, 0);
  });

  s.run();
  releaseAfterSuites(ctx);
}
