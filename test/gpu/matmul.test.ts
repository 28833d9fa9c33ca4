// GPU tests of matmul (y = alpha * x Wᵀ (+ y)): both kernels against the float64 reference over awkward
// shapes, accumulate/alpha, W, x and y split into row chunks, W bound as a view, and the shape checks.
import { suite } from "uvu";
import * as assert from "uvu/assert";
import { Recorder } from "../../src/gpu/recorder.ts";
import { createTensor, type Tensor, uploadTensor, writeTensor } from "../../src/gpu/tensor.ts";
import { matmul, type MatmulVariantName, matmulUsing, matmulVariantFor } from "../../src/kernels/matmul.ts";
import { matmulRef } from "../../src/ref/matmul.ts";
import { assertClose } from "../harness/compare.ts";
import { gpuOrSkip, releaseAfterSuites, withErrorScopes } from "../harness/gpu.ts";
import { rngFor } from "../harness/random.ts";
import { readChecked, sentinelTensor } from "../harness/sentinel.ts";
import type { GpuContext } from "../../src/gpu/context.ts";

/** One case: T x K x N, with optional accumulate/alpha and row-chunk caps for W and for x/y. */
interface Case {
  readonly T: number;
  readonly K: number;
  readonly N: number;
  readonly accumulate?: boolean;
  readonly alpha?: number;
  /** Rows per W chunk (W split into ceil(N / wRows) chunks). */
  readonly wRows?: number;
  /** Rows per x and y chunk. */
  readonly xRows?: number;
  /** Bind W as a view at this byte offset into a larger buffer. */
  readonly wOffset?: number;
}

function describe(c: Case): string {
  const parts = [`${c.T}x${c.K}x${c.N}`];
  if (c.accumulate) parts.push("accumulating");
  if (c.alpha !== undefined) parts.push(`alpha ${c.alpha}`);
  if (c.wRows !== undefined) parts.push(`W split every ${c.wRows} rows`);
  if (c.xRows !== undefined) parts.push(`x/y split every ${c.xRows} rows`);
  if (c.wOffset !== undefined) parts.push(`W a view at byte ${c.wOffset}`);
  return parts.join(", ");
}

/** W uploaded as a view: one buffer with `offset` bytes of garbage before the rows and after them. */
function uploadView(ctx: GpuContext, label: string, N: number, K: number, data: Float32Array, offset: number): Tensor<"f32"> {
  const bytes = Math.max(16, N * K * 4);
  const buffer = ctx.memory.createBuffer({ label, size: offset + bytes + offset, usage: GPUBufferUsage.STORAGE | GPUBufferUsage.COPY_DST }, "weights");
  const fill = new Float32Array((offset + bytes + offset) / 4).fill(1e30);
  fill.set(data, offset / 4);
  ctx.device.queue.writeBuffer(buffer, 0, fill);
  return { label, dtype: "f32", shape: [N, K], rowElems: K, chunks: [{ buffer, offset, bytes, row0: 0, rows: N }], category: "weights", slackElems: 0 };
}

/** Which kernel a case runs: the one matmul() picks, or a named one through matmulUsing(). */
type Via = "auto" | MatmulVariantName;

async function check(ctx: GpuContext, c: Case, via: Via): Promise<void> {
  const { T, K, N } = c;
  const rng = rngFor(`matmul ${via} ${describe(c)}`);
  const xh = rng.normals(T * K);
  const wh = rng.normals(N * K);
  const y0 = rng.normals(T * N);
  await withErrorScopes(ctx, async () => {
    const xOpts = c.xRows === undefined ? {} : { maxRowsPerChunk: c.xRows };
    const x = uploadTensor(ctx, "matmul.x", [T, K], "f32", xh, "activations", xOpts);
    const w = c.wOffset !== undefined
      ? uploadView(ctx, "matmul.w", N, K, wh, c.wOffset)
      : uploadTensor(ctx, "matmul.w", [N, K], "f32", wh, "weights", c.wRows === undefined ? {} : { maxRowsPerChunk: c.wRows });
    if (c.wRows !== undefined) assert.is(w.chunks.length, Math.ceil(N / c.wRows), "W is split as intended");
    if (c.xRows !== undefined) assert.is(x.chunks.length, Math.ceil(T / c.xRows), "x is split as intended");
    const y = sentinelTensor(ctx, "matmul.y", [T, N], c.xRows);
    if (c.accumulate) writeTensor(ctx, y, y0);
    const rec = new Recorder(ctx, "test.matmul");
    const opts = { ...(c.accumulate !== undefined ? { accumulate: c.accumulate } : {}), ...(c.alpha !== undefined ? { alpha: c.alpha } : {}) };
    if (via === "auto") matmul(ctx, rec, x, w, y, opts);
    else matmulUsing(ctx, rec, via, x, w, y, opts);
    rec.submit();
    const got = await readChecked(ctx, y);
    const want = c.accumulate ? Float32Array.from(y0) : new Float32Array(T * N);
    matmulRef(xh, wh, want, T, K, N, opts);
    assertClose(got, want, { atol: 1e-5 * Math.sqrt(K) * Math.abs(c.alpha ?? 1), rtol: 1e-4, shape: [T, N], label: `matmul ${via} ${describe(c)}` });
  });
}

/** Registers `c` on suite `s` for every kernel that can run it (regs needs K % 4 == 0). */
function addCase(s: ReturnType<typeof suite>, ctx: GpuContext, c: Case): void {
  const vias: Via[] = c.K % 4 === 0 ? ["regs", "tiled"] : ["tiled"];
  for (const via of vias) s(`matmul() ${via} kernel matches the reference on ${describe(c)}`, () => check(ctx, c, via));
}

const ctx = await gpuOrSkip("matmul");
if (ctx) {
  const shapes = suite("matmul() shapes");
  const dims: [number, number, number][] = [
    [1, 1, 1], [1, 5, 3], [7, 13, 11], [17, 33, 65], [64, 64, 64], [33, 172, 64], [130, 64, 172], [5, 300, 3], [67, 7, 130],
    [1, 4, 1], [3, 8, 9], [71, 12, 67], [9, 260, 130],
  ];
  for (const [T, K, N] of dims) addCase(shapes, ctx, { T, K, N });
  shapes.run();

  const picked = suite("matmul() kernel choice");
  for (const [T, K, N] of [[17, 33, 65], [130, 64, 172]] as const) {
    const c: Case = { T, K, N, accumulate: true, alpha: 0.5 };
    picked(`matmul() with the kernel it picks (${matmulVariantFor(ctx, K)}) matches the reference on ${describe(c)}`, () => check(ctx, c, "auto"));
  }
  picked("matmul() picks the tiled kernel when K is not a multiple of 4", () => {
    assert.is(matmulVariantFor(ctx, 33), "tiled");
  });
  picked.run();

  const options = suite("matmul() options");
  const optionCases: Case[] = [
    { T: 17, K: 33, N: 65, accumulate: true },
    { T: 17, K: 36, N: 65, alpha: -0.37 },
    { T: 130, K: 64, N: 172, accumulate: true, alpha: 2.5 },
    { T: 1, K: 5, N: 3, accumulate: true, alpha: 0.5 },
    { T: 3, K: 4, N: 5, accumulate: true, alpha: -1 },
  ];
  for (const c of optionCases) addCase(options, ctx, c);
  options.run();

  const chunks = suite("matmul() chunked operands");
  const chunkCases: Case[] = [
    { T: 17, K: 33, N: 65, wRows: 22 },
    { T: 17, K: 32, N: 65, wRows: 22 },
    { T: 130, K: 64, N: 172, wRows: 58, accumulate: true, alpha: 0.75 },
    { T: 130, K: 64, N: 172, xRows: 47 },
    { T: 70, K: 13, N: 67, xRows: 23, wRows: 23, accumulate: true },
    { T: 70, K: 16, N: 67, xRows: 23, wRows: 23, accumulate: true },
    { T: 7, K: 13, N: 11, wOffset: 256 },
    { T: 7, K: 12, N: 11, wOffset: 256 },
  ];
  for (const c of chunkCases) addCase(chunks, ctx, c);
  chunks.run();

  const errors = suite("matmul() shape checks");
  errors("matmul() rejects a w whose K differs from x", () => {
    const x = createTensor(ctx, "e.x", [4, 8], "f32", "workspace");
    const w = createTensor(ctx, "e.w", [3, 7], "f32", "workspace");
    const y = createTensor(ctx, "e.y", [4, 3], "f32", "workspace");
    assert.throws(() => matmul(ctx, new Recorder(ctx, "e"), x, w, y), /w \(e\.w\) has shape \[3, 7\], expected \[N, 8\]/);
  });
  errors("matmul() rejects a y of the wrong shape", () => {
    const x = createTensor(ctx, "e.x", [4, 8], "f32", "workspace");
    const w = createTensor(ctx, "e.w", [3, 8], "f32", "workspace");
    const y = createTensor(ctx, "e.y", [3, 4], "f32", "workspace");
    assert.throws(() => matmul(ctx, new Recorder(ctx, "e"), x, w, y), /y \(e\.y\) has shape \[3, 4\], expected \[4, 3\]/);
  });
  errors("matmul() rejects x and y chunked differently", () => {
    const x = createTensor(ctx, "e.x", [10, 8], "f32", "workspace", { maxRowsPerChunk: 4 });
    const w = createTensor(ctx, "e.w", [3, 8], "f32", "workspace");
    const y = createTensor(ctx, "e.y", [10, 3], "f32", "workspace");
    assert.throws(() => matmul(ctx, new Recorder(ctx, "e"), x, w, y), /same row chunks, got rows 4\+4\+2 and 10/);
  });
  errors("matmul() rejects a non-finite alpha", () => {
    const x = createTensor(ctx, "e.x", [4, 8], "f32", "workspace");
    const w = createTensor(ctx, "e.w", [3, 8], "f32", "workspace");
    const y = createTensor(ctx, "e.y", [4, 3], "f32", "workspace");
    assert.throws(() => matmul(ctx, new Recorder(ctx, "e"), x, w, y, { alpha: NaN }), /alpha must be a finite number, got NaN/);
  });
  errors("matmulUsing() rejects the regs kernel when K is not a multiple of 4", () => {
    const x = createTensor(ctx, "e.x", [4, 6], "f32", "workspace");
    const w = createTensor(ctx, "e.w", [3, 6], "f32", "workspace");
    const y = createTensor(ctx, "e.y", [4, 3], "f32", "workspace");
    assert.throws(() => matmulUsing(ctx, new Recorder(ctx, "e"), "regs", x, w, y), /regs kernel needs K % 4 == 0, got K = 6/);
  });
  errors.run();
  releaseAfterSuites(ctx);
}
