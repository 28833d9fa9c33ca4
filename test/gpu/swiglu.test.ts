import { suite } from "uvu";
import * as assert from "uvu/assert";
import { Recorder } from "../../src/gpu/recorder.ts";
import { uploadTensor, writeTensor } from "../../src/gpu/tensor.ts";
import { swiglu } from "../../src/kernels/swiglu.ts";
import { swigluRef } from "../../src/ref/swiglu.ts";
import { assertClose } from "../harness/compare.ts";
import { gpuOrSkip, releaseAfterSuites, withErrorScopes } from "../harness/gpu.ts";
import { rngFor } from "../harness/random.ts";
import { readChecked, sentinelTensor } from "../harness/sentinel.ts";

// WGSL's exp is accurate to 3 + 2|x| ulp; with the division and two products a few ulp more. The
// sigmoid's relative error shrinks as exp(-|v|) does, so 2e-6 relative (~16 ulp) holds at any |v|.
const TOL = { atol: 1e-7, rtol: 2e-6 };

async function runSwiglu(label: string, ah: Float32Array, bh: Float32Array, shape: [number, number], maxRows?: number): Promise<Float32Array> {
  return await withErrorScopes(ctx!, async () => {
    const c = ctx!;
    const a = sentinelTensor(c, `${label}.a`, shape, maxRows);
    if (maxRows !== undefined) assert.ok(a.chunks.length > 1, "the split case must really split a");
    writeTensor(c, a, ah);
    const b = uploadTensor(c, `${label}.b`, shape, "f32", bh, "workspace", maxRows === undefined ? {} : { maxRowsPerChunk: maxRows });
    const rec = new Recorder(c, label);
    swiglu(c, rec, a, b);
    rec.submit();
    return await readChecked(c, a);
  });
}

const ctx = await gpuOrSkip("swiglu");
if (ctx) {
  const s = suite("swiglu()");
  // [rows, F, rows per chunk, scale of a]: size 1, primes, a non-multiple of the workgroup, a split operand.
  const cases: [number, number, number | undefined, number][] = [
    [1, 1, undefined, 1],
    [3, 7, undefined, 3],
    [17, 172, undefined, 2],
    [5, 1031, undefined, 1],
    [41, 29, 9, 2],
  ];
  for (const [rows, f, maxRows, scale] of cases) {
    const name = `${rows}x${f}${maxRows ? ` split every ${maxRows} rows` : ""}`;
    s(`swiglu() matches the reference on ${name}`, async () => {
      const rng = rngFor(`swiglu ${name}`);
      const ah = rng.normals(rows * f, scale);
      const bh = rng.normals(rows * f);
      const got = await runSwiglu("test.swiglu", ah, bh, [rows, f], maxRows);
      const want = Float32Array.from(ah);
      swigluRef(want, bh);
      assertClose(got, want, { ...TOL, shape: [rows, f], label: `swiglu ${name}` });
    });
  }

  s("swiglu() stays finite and exact in the tails where exp(-v) overflows f32", async () => {
    const ah = new Float32Array([-1e30, -1e4, -200, -100, -89, -88.5, -88, -30, -1e-30, 0, 1e-30, 30, 88, 89, 100, 1e4, 1e30, -3.4e38, 3.4e38]);
    const bh = new Float32Array(ah.length).fill(0.5);
    const got = await runSwiglu("test.swiglu.tails", ah, bh, [1, ah.length]);
    assert.ok(got.every(Number.isFinite), `all outputs finite, got ${Array.from(got).join(", ")}`);
    const want = Float32Array.from(ah);
    swigluRef(want, bh);
    assertClose(got, want, { ...TOL, label: "swiglu tails" });
  });

  s("swiglu() rejects operands of different shapes or chunking, and b aliasing a", () => {
    const a = uploadTensor(ctx, "swiglu.bad.a", [4, 6], "f32", new Float32Array(24), "workspace");
    const b = uploadTensor(ctx, "swiglu.bad.b", [4, 5], "f32", new Float32Array(20), "workspace");
    const split = uploadTensor(ctx, "swiglu.bad.split", [4, 6], "f32", new Float32Array(24), "workspace", { maxRowsPerChunk: 2 });
    const rec = new Recorder(ctx, "test.swiglu.bad");
    assert.throws(() => swiglu(ctx, rec, a, b), (e: unknown) => e instanceof RangeError && /expected \[4, 6\]/.test(e.message));
    assert.throws(() => swiglu(ctx, rec, a, split), (e: unknown) => e instanceof RangeError && /chunked differently/.test(e.message));
    assert.throws(() => swiglu(ctx, rec, a, a), (e: unknown) => e instanceof RangeError && /shares buffers/.test(e.message));
    assert.is(rec.dispatchCount, 0);
  });

  s.run();
  releaseAfterSuites(ctx);
}
