import process from "node:process";
import { suite } from "uvu";
import * as assert from "uvu/assert";
import type { GpuContext } from "../../src/gpu/context.ts";
import { Recorder } from "../../src/gpu/recorder.ts";
import { uploadTensor } from "../../src/gpu/tensor.ts";
import { attention, type AttentionShape } from "../../src/kernels/attention.ts";
import { attentionRef } from "../../src/ref/attention.ts";
import { assertClose, maxRelErr } from "../harness/compare.ts";
import { gpuOrSkip, releaseAfterSuites, withErrorScopes } from "../harness/gpu.ts";
import { rngFor } from "../harness/random.ts";
import { readChecked, sentinelTensor } from "../harness/sentinel.ts";

interface Case {
  readonly name: string;
  readonly shape: AttentionShape;
  /** [qStart, kvLen] per sequence. */
  readonly meta: readonly (readonly [number, number])[];
  /** Scale of q's entries: larger makes the softmax sharper. */
  readonly qScale?: number;
}

const cases: Case[] = [
  { name: "training, batch 3 of lengths 5, 1, 7, GQA 2, D 12", shape: { batch: 3, sq: 7, sk: 7, nHeads: 4, nKvHeads: 2, headDim: 12 }, meta: [[0, 5], [0, 1], [0, 7]] },
  { name: "training, batch 1 of length 13, MHA, D 8", shape: { batch: 1, sq: 13, sk: 13, nHeads: 2, nKvHeads: 2, headDim: 8 }, meta: [[0, 13]] },
  { name: "training, batch 2 of lengths 9, 4, GQA 4, D 64", shape: { batch: 2, sq: 9, sk: 9, nHeads: 8, nKvHeads: 2, headDim: 64 }, meta: [[0, 9], [0, 4]] },
  { name: "training, D 1, lengths 4, 2", shape: { batch: 2, sq: 4, sk: 4, nHeads: 1, nKvHeads: 1, headDim: 1 }, meta: [[0, 4], [0, 2]] },
  { name: "training over 130 keys (3 key tiles), GQA 2, D 8", shape: { batch: 1, sq: 130, sk: 130, nHeads: 2, nKvHeads: 1, headDim: 8 }, meta: [[0, 130]] },
  { name: "training, D 128 (more dims than threads), lengths 6, 3", shape: { batch: 2, sq: 6, sk: 6, nHeads: 2, nKvHeads: 1, headDim: 128 }, meta: [[0, 6], [0, 3]] },
  { name: "training, D 100, sharp softmax", shape: { batch: 1, sq: 5, sk: 5, nHeads: 3, nKvHeads: 3, headDim: 100 }, meta: [[0, 5]], qScale: 4 },
  { name: "training, D 256 (the maximum)", shape: { batch: 1, sq: 3, sk: 3, nHeads: 1, nKvHeads: 1, headDim: 256 }, meta: [[0, 3]] },
  { name: "decode 1 token at positions 0, 17, 36 of a 37-slot cache, GQA 4, D 20", shape: { batch: 3, sq: 1, sk: 37, nHeads: 4, nKvHeads: 1, headDim: 20 }, meta: [[0, 1], [17, 18], [36, 37]] },
  { name: "decode 3 tokens over a 70-slot cache with padded slots, D 8", shape: { batch: 2, sq: 3, sk: 70, nHeads: 2, nKvHeads: 1, headDim: 8 }, meta: [[10, 13], [66, 67]] },
  { name: "decode 1 token at position 4095 of a 4096-slot cache, D 64", shape: { batch: 1, sq: 1, sk: 4096, nHeads: 2, nKvHeads: 1, headDim: 64 }, meta: [[4095, 4096]] },
];

function maxAbsDiff(a: Float32Array, b: Float32Array): number {
  let m = 0;
  for (let i = 0; i < a.length; i++) m = Math.max(m, Math.abs(a[i]! - b[i]!));
  return m;
}

/** q with NaN in padding query rows, k/v with NaN in key slots >= kvLen: the kernel must not read them. */
function inputs(c: Case): { q: Float32Array; k: Float32Array; v: Float32Array; meta: Uint32Array } {
  const { batch, sq, sk, nHeads, nKvHeads, headDim } = c.shape;
  const rng = rngFor(`attention ${c.name}`);
  const qStride = nHeads * headDim;
  const kvStride = nKvHeads * headDim;
  const q = rng.normals(batch * sq * qStride, c.qScale ?? 1);
  const k = rng.normals(batch * sk * kvStride);
  const v = rng.normals(batch * sk * kvStride);
  const meta = new Uint32Array(batch * 2);
  c.meta.forEach(([qStart, kvLen], b) => {
    meta[2 * b] = qStart;
    meta[2 * b + 1] = kvLen;
    for (let i = 0; i < sq; i++) {
      if (qStart + i >= kvLen) q.fill(NaN, (b * sq + i) * qStride, (b * sq + i + 1) * qStride);
    }
    k.fill(NaN, (b * sk + kvLen) * kvStride, (b + 1) * sk * kvStride);
    v.fill(NaN, (b * sk + kvLen) * kvStride, (b + 1) * sk * kvStride);
  });
  return { q, k, v, meta };
}

/** attention() on `h` uploaded under `label`, into a sentinel-guarded output, inside error scopes. */
async function runAttention(ctx: GpuContext, c: Case, h: ReturnType<typeof inputs>, label: string): Promise<Float32Array> {
  const { batch, sq, sk, nHeads, nKvHeads, headDim } = c.shape;
  return await withErrorScopes(ctx, async () => {
    const q = uploadTensor(ctx, `${label}.q`, [batch * sq, nHeads * headDim], "f32", h.q, "workspace");
    const k = uploadTensor(ctx, `${label}.k`, [batch * sk, nKvHeads * headDim], "f32", h.k, "workspace");
    const v = uploadTensor(ctx, `${label}.v`, [batch * sk, nKvHeads * headDim], "f32", h.v, "workspace");
    const meta = uploadTensor(ctx, `${label}.meta`, [batch, 2], "u32", h.meta, "workspace");
    const out = sentinelTensor(ctx, `${label}.out`, [batch * sq, nHeads * headDim]);
    const rec = new Recorder(ctx, `test.${label}`);
    attention(ctx, rec, q, k, v, out, meta, c.shape);
    rec.submit();
    return await readChecked(ctx, out);
  });
}

const ctx = await gpuOrSkip("attention");
if (ctx) {
  const s = suite("attention()");

  for (const c of cases) {
    s(`attention() matches the reference: ${c.name}`, async () => {
      const { batch, sq, nHeads, headDim } = c.shape;
      const h = inputs(c);
      const want = new Float32Array(batch * sq * nHeads * headDim);
      attentionRef(h.q, h.k, h.v, want, h.meta, c.shape);
      const got = await runAttention(ctx, c, h, "attention");
      assertClose(got, want, { atol: 5e-6, rtol: 1e-5, shape: [batch * sq, nHeads, headDim], label: `attention ${c.name}` });
      if (process.env.MAZO_TEST_VERBOSE === "1") console.log(`attention ${c.name}: max |diff| ${maxAbsDiff(got, want).toExponential(2)}, max rel err ${maxRelErr(got, want, 1e-2).toExponential(2)}`);
    });
  }

  s("attention() writes exact zeros to padding rows, and a lone first key's value to slot 0", async () => {
    const c = cases[0]!; // lengths 5, 1, 7 in slots of 7: 2 + 6 padding rows
    const { sq, sk, nHeads, nKvHeads, headDim } = c.shape;
    const h = inputs(c);
    const got = await runAttention(ctx, c, h, "attention.pad");
    const rowLen = nHeads * headDim;
    let padRows = 0;
    c.meta.forEach(([qStart, kvLen], b) => {
      for (let i = 0; i < sq; i++) {
        const row = got.subarray((b * sq + i) * rowLen, (b * sq + i + 1) * rowLen);
        if (qStart + i >= kvLen) {
          padRows++;
          assert.ok(row.every((x) => Object.is(x, 0)), `padding row ${b * sq + i} must be +0, got ${row.slice(0, 4).join(", ")}...`);
        } else {
          assert.ok(row.some((x) => x !== 0) && row.every(Number.isFinite), `row ${b * sq + i} must be finite and not all zero`);
        }
      }
    });
    assert.is(padRows, 8);
    // Independent of the reference: slot 0 of every sequence attends key 0 alone, so its output is v's row 0.
    c.meta.forEach((_, b) => {
      for (let hh = 0; hh < nHeads; hh++) {
        const kh = Math.floor(hh / (nHeads / nKvHeads));
        const gotRow = got.subarray(b * sq * rowLen + hh * headDim, b * sq * rowLen + (hh + 1) * headDim);
        const vRow = h.v.subarray(b * sk * nKvHeads * headDim + kh * headDim, b * sk * nKvHeads * headDim + (kh + 1) * headDim);
        assertClose(gotRow, vRow, { atol: 1e-6, rtol: 1e-6, label: `attention sequence ${b} slot 0 head ${hh} = v row 0 of kv head ${kh}` });
      }
    });
  });

  s("attention() rejects bad shapes and split operands with a RangeError", () => {
    const shape: AttentionShape = { batch: 2, sq: 3, sk: 3, nHeads: 4, nKvHeads: 2, headDim: 8 };
    const f = (rows: number, cols: number, name: string, maxRowsPerChunk?: number) =>
      uploadTensor(ctx, `attention.bad.${name}`, [rows, cols], "f32", new Float32Array(rows * cols), "workspace", maxRowsPerChunk === undefined ? {} : { maxRowsPerChunk });
    const q = f(6, 32, "q");
    const kv = f(6, 16, "kv");
    const out = f(6, 32, "out");
    const meta = uploadTensor(ctx, "attention.bad.meta", [2, 2], "u32", new Uint32Array(4), "workspace");
    const rec = new Recorder(ctx, "test.attention.bad");
    assert.throws(() => attention(ctx, rec, q, kv, kv, out, meta, { ...shape, nKvHeads: 3 }), (e: unknown) => e instanceof RangeError && /nKvHeads \(3\) must divide nHeads \(4\)/.test(e.message));
    assert.throws(() => attention(ctx, rec, f(6, 24, "q24"), kv, kv, out, meta, shape), (e: unknown) => e instanceof RangeError && /q .* has shape \[6, 24\], expected \[6, 32\]/.test(e.message));
    assert.throws(() => attention(ctx, rec, q, kv, kv, out, meta, { ...shape, sk: 4 }), (e: unknown) => e instanceof RangeError && /k .* expected \[8, 16\]/.test(e.message));
    assert.throws(() => attention(ctx, rec, q, kv, kv, out, meta, { ...shape, headDim: 0 }), (e: unknown) => e instanceof RangeError && /headDim must be an integer in \[1, 256\]/.test(e.message));
    assert.throws(() => attention(ctx, rec, q, f(6, 16, "kvSplit", 4), kv, out, meta, shape), (e: unknown) => e instanceof RangeError && /split into 2 chunks/.test(e.message));
    assert.is(rec.dispatchCount, 0);
  });

  s.run();
  releaseAfterSuites(ctx);
}
