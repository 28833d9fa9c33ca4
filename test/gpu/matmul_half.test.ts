// GPU tests of matmul and the embedding gather reading weights kept in f16/bf16 (two per word, widened
// in the kernel): both matmul kernels and the gather against the float64 references fed with the exact
// values of the half bits (src/ref/half.ts), over awkward shapes, odd element counts, row chunks and
// accumulate/alpha; and the dtype checks.
import { suite } from "uvu";
import * as assert from "uvu/assert";
import { Recorder } from "../../src/gpu/recorder.ts";
import { createTensor, type Tensor, uploadTensor, writeTensor } from "../../src/gpu/tensor.ts";
import { embedding } from "../../src/kernels/embedding.ts";
import { matmul, type MatmulVariantName, matmulUsing } from "../../src/kernels/matmul.ts";
import { f32ToHalf } from "../../src/model/half.ts";
import { embeddingRef } from "../../src/ref/embedding.ts";
import { halfValueRef } from "../../src/ref/half.ts";
import { matmulRef } from "../../src/ref/matmul.ts";
import { assertClose } from "../harness/compare.ts";
import { gpuOrSkip, releaseAfterSuites, withErrorScopes } from "../harness/gpu.ts";
import { rngFor } from "../harness/random.ts";
import { readChecked, sentinelTensor } from "../harness/sentinel.ts";

type Half = "f16" | "bf16";

/** Random half bits (normals * scale) and their exact values per the reference. */
function halfWeights(seed: string, n: number, fmt: Half, scale = 1): { bits: Uint16Array; values: Float32Array } {
  const bits = f32ToHalf(rngFor(seed).normals(n, scale), fmt);
  return { bits, values: Float32Array.from(bits, (b) => halfValueRef(b, fmt)) };
}

interface Case {
  readonly T: number;
  readonly K: number;
  readonly N: number;
  readonly wRows?: number;
  readonly accumulate?: boolean;
  readonly alpha?: number;
}

const ctx = await gpuOrSkip("matmul (half weights)");
if (ctx) {
  const mm = suite("matmul() with f16/bf16 weights");
  const cases: Case[] = [
    { T: 1, K: 1, N: 1 },
    { T: 7, K: 13, N: 11 },
    { T: 17, K: 33, N: 65, accumulate: true, alpha: 0.5 },
    { T: 33, K: 172, N: 64 },
    { T: 130, K: 64, N: 172, wRows: 58 },
    { T: 5, K: 300, N: 3 },
    { T: 70, K: 13, N: 67, wRows: 23, accumulate: true },
    { T: 9, K: 896, N: 37, alpha: -1.5 },
  ];
  for (const fmt of ["f16", "bf16"] as const) {
    for (const c of cases) {
      const vias: MatmulVariantName[] = c.K % 4 === 0 ? ["regs", "tiled"] : ["tiled"];
      for (const via of vias) {
        const name = `${fmt} W, ${via} kernel, ${c.T}x${c.K}x${c.N}${c.wRows ? `, W split every ${c.wRows} rows` : ""}${c.accumulate ? ", accumulating" : ""}${c.alpha !== undefined ? `, alpha ${c.alpha}` : ""}`;
        mm(`matmul() matches the reference on the exact half values: ${name}`, async () => {
          const rng = rngFor(`matmul half ${name}`);
          const xh = rng.normals(c.T * c.K);
          const wh = halfWeights(`w ${name}`, c.N * c.K, fmt, 0.05);
          const y0 = rng.normals(c.T * c.N);
          await withErrorScopes(ctx, async () => {
            const x = uploadTensor(ctx, "mmh.x", [c.T, c.K], "f32", xh, "activations");
            const w = uploadTensor(ctx, "mmh.w", [c.N, c.K], fmt, wh.bits, "weights", c.wRows === undefined ? {} : { maxRowsPerChunk: c.wRows });
            if (c.wRows !== undefined) assert.ok(w.chunks.length > 1, "W really is split");
            const y = sentinelTensor(ctx, "mmh.y", [c.T, c.N]);
            if (c.accumulate) writeTensor(ctx, y, y0);
            const opts = { ...(c.accumulate !== undefined ? { accumulate: c.accumulate } : {}), ...(c.alpha !== undefined ? { alpha: c.alpha } : {}) };
            const rec = new Recorder(ctx, "test.matmul_half");
            matmulUsing(ctx, rec, via, x, w, y, opts);
            rec.submit();
            const got = await readChecked(ctx, y);
            const want = c.accumulate ? Float32Array.from(y0) : new Float32Array(c.T * c.N);
            matmulRef(xh, wh.values, want, c.T, c.K, c.N, opts);
            // Same bound as f32 weights: the widening is exact, only the f32 sums round.
            assertClose(got, want, { atol: 5e-7 * Math.sqrt(c.K) * Math.abs(c.alpha ?? 1), rtol: 1e-4, shape: [c.T, c.N], label: `matmul ${name}` });
          });
        });
      }
    }
  }
  mm("matmul() rejects a u32 tensor as weights, naming its dtype", () => {
    const x = createTensor(ctx, "e.x", [4, 8], "f32", "workspace");
    const w = createTensor(ctx, "e.w", [3, 8], "u32", "workspace") as unknown as Tensor<"f16">;
    const y = createTensor(ctx, "e.y", [4, 3], "f32", "workspace");
    assert.throws(() => matmul(ctx, new Recorder(ctx, "e"), x, w, y), /w \(e\.w\) has dtype u32; weights must be f32, f16 or bf16/);
  });
  mm.run();

  const emb = suite("embedding() with f16/bf16 tables");
  const ecases = [
    { vocab: 13, d: 7, tokens: 5 },
    { vocab: 101, d: 12, tokens: 41, tableRows: 17 },
    { vocab: 31, d: 5, tokens: 23, tableRows: 8, invalid: true },
    { vocab: 50, d: 896, tokens: 9 },
  ];
  for (const fmt of ["f16", "bf16"] as const) {
    for (const c of ecases) {
      const name = `${fmt} table V=${c.vocab} D=${c.d} T=${c.tokens}${c.tableRows ? `, split every ${c.tableRows} rows` : ""}${c.invalid ? ", ids >= V" : ""}`;
      emb(`embedding() gathers the exact half values: ${name}`, async () => {
        const rng = rngFor(`embedding half ${name}`);
        const table = halfWeights(`table ${name}`, c.vocab * c.d, fmt);
        const ids = Uint32Array.from({ length: c.tokens }, () => rng.int(0, c.vocab - 1));
        ids[0] = c.vocab - 1;
        if (c.invalid) ids[1] = c.vocab + 3;
        await withErrorScopes(ctx, async () => {
          const tt = uploadTensor(ctx, "embh.table", [c.vocab, c.d], fmt, table.bits, "weights", c.tableRows === undefined ? {} : { maxRowsPerChunk: c.tableRows });
          const tok = uploadTensor(ctx, "embh.tokens", [c.tokens], "u32", ids, "activations");
          const out = sentinelTensor(ctx, "embh.out", [c.tokens, c.d]);
          const rec = new Recorder(ctx, "test.embedding_half");
          embedding(ctx, rec, tt, tok, out);
          rec.submit();
          const got = await readChecked(ctx, out);
          const want = new Float32Array(c.tokens * c.d);
          embeddingRef(table.values, c.vocab, ids, want);
          assertClose(got, want, { atol: 0, rtol: 0, shape: [c.tokens, c.d], label: `embedding ${name}` });
        });
      });
    }
  }
  emb.run();
  releaseAfterSuites(ctx);
}
