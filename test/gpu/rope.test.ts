import { suite } from "uvu";
import * as assert from "uvu/assert";
import { Recorder } from "../../src/gpu/recorder.ts";
import { uploadTensor, writeTensor } from "../../src/gpu/tensor.ts";
import { rope, type RopeLayout, ropeFrequencyTable } from "../../src/kernels/rope.ts";
import { ropeRef } from "../../src/ref/rope.ts";
import { assertClose, maxRelErr } from "../harness/compare.ts";
import { gpuOrSkip, releaseAfterSuites, withErrorScopes } from "../harness/gpu.ts";
import { rngFor } from "../harness/random.ts";
import { readChecked, sentinelTensor } from "../harness/sentinel.ts";

// Unit-normal inputs. The kernel's angle is within ~1e-6 rad of the float64 angle at any position
// < 2^17 and its sin/cos within a few ulp, so an output element is off by at most ~1e-6 * |pair| plus
// rounding: 4e-6 absolute covers pairs of norm up to ~4. A kernel that forms the angle as
// f32(pos) * f32(freq) is off by up to ~pos * 1.2e-7 rad, which the check below shows this rejects.
const TOL = { atol: 4e-6, rtol: 4e-6 };

interface Case {
  readonly rows: number;
  readonly nHeads: number;
  readonly headDim: number;
  readonly theta: number;
  readonly maxPos: number;
  readonly maxRows?: number;
}

const cases: Case[] = [
  { rows: 1, nHeads: 1, headDim: 2, theta: 10000, maxPos: 1 },
  { rows: 7, nHeads: 3, headDim: 6, theta: 10000, maxPos: 512 },
  { rows: 13, nHeads: 2, headDim: 64, theta: 10000, maxPos: 512 },
  { rows: 11, nHeads: 5, headDim: 18, theta: 500000, maxPos: 32768 },
  { rows: 9, nHeads: 2, headDim: 128, theta: 10000, maxPos: 131071 },
  { rows: 29, nHeads: 4, headDim: 16, theta: 10000, maxPos: 4096, maxRows: 6 },
];

/** Positions: the extremes 0 and maxPos - 1 plus random ones below maxPos. */
function positionsFor(label: string, rows: number, maxPos: number): Uint32Array {
  const rng = rngFor(`${label} positions`);
  const p = new Uint32Array(rows);
  for (let t = 0; t < rows; t++) p[t] = t === 0 ? maxPos - 1 : t === 1 ? 0 : rng.int(0, maxPos - 1);
  return p;
}

/** RoPE as a naive f32 kernel computes it: f32 frequency and angle, then cos/sin. */
function naiveF32Rope(x: Float32Array, positions: Uint32Array, nHeads: number, headDim: number, theta: number): void {
  const f = Math.fround;
  for (let t = 0; t < positions.length; t++) {
    for (let h = 0; h < nHeads; h++) {
      for (let i = 0; i < headDim / 2; i++) {
        const freq = f(1 / f(Math.pow(theta, f((2 * i) / headDim))));
        const angle = f(positions[t]! * freq);
        const c = f(Math.cos(angle));
        const s = f(Math.sin(angle));
        const ia = t * nHeads * headDim + h * headDim + 2 * i;
        const a = x[ia]!;
        const b = x[ia + 1]!;
        x[ia] = f(a * c - b * s);
        x[ia + 1] = f(a * s + b * c);
      }
    }
  }
}

const ctx = await gpuOrSkip("rope");
if (ctx) {
  const s = suite("rope()");
  for (const layout of ["adjacent", "half"] as const satisfies readonly RopeLayout[]) {
    for (const c of cases) {
      const width = c.nHeads * c.headDim;
      const name = `${layout} ${c.rows}x${c.nHeads}x${c.headDim} theta ${c.theta} positions < ${c.maxPos}${c.maxRows ? ` split every ${c.maxRows} rows` : ""}`;
      s(`rope() matches the reference, ${name}`, async () => {
        const rng = rngFor(`rope ${name}`);
        const xh = rng.normals(c.rows * width);
        const ph = positionsFor(`rope ${name}`, c.rows, c.maxPos);
        await withErrorScopes(ctx, async () => {
          const x = sentinelTensor(ctx, "rope.x", [c.rows, width], c.maxRows);
          if (c.maxRows !== undefined) assert.ok(x.chunks.length > 1, "the split case must really split x");
          writeTensor(ctx, x, xh);
          const pos = uploadTensor(ctx, "rope.positions", [c.rows], "u32", ph, "activations");
          const rec = new Recorder(ctx, "test.rope");
          rope(ctx, rec, x, pos, { nHeads: c.nHeads, headDim: c.headDim, theta: c.theta, layout });
          rec.submit();
          const got = await readChecked(ctx, x);
          const want = Float32Array.from(xh);
          ropeRef(want, ph, { nHeads: c.nHeads, headDim: c.headDim, theta: c.theta, layout });
          assertClose(got, want, { ...TOL, shape: [c.rows, width], label: `rope ${name}` });
        });
      });
    }
  }

  s("rope() layouts differ: half on x equals adjacent on x with each head's halves interleaved", async () => {
    const [rows, nHeads, headDim] = [5, 2, 8];
    const rng = rngFor("rope layouts");
    const xh = rng.normals(rows * nHeads * headDim);
    const ph = positionsFor("rope layouts", rows, 100);
    // perm[k] = index in x of element k of the interleaved copy.
    const perm = new Uint32Array(xh.length);
    for (let t = 0; t < rows; t++) {
      for (let h = 0; h < nHeads; h++) {
        const base = (t * nHeads + h) * headDim;
        for (let i = 0; i < headDim / 2; i++) {
          perm[base + 2 * i] = base + i;
          perm[base + 2 * i + 1] = base + i + headDim / 2;
        }
      }
    }
    const inter = Float32Array.from(perm, (k) => xh[k]!);
    await withErrorScopes(ctx, async () => {
      const xa = uploadTensor(ctx, "rope.layouts.half", [rows, nHeads * headDim], "f32", xh, "workspace");
      const xb = uploadTensor(ctx, "rope.layouts.adjacent", [rows, nHeads * headDim], "f32", inter, "workspace");
      const pos = uploadTensor(ctx, "rope.layouts.positions", [rows], "u32", ph, "activations");
      const rec = new Recorder(ctx, "test.rope.layouts");
      rope(ctx, rec, xa, pos, { nHeads, headDim, theta: 10000, layout: "half" });
      rope(ctx, rec, xb, pos, { nHeads, headDim, theta: 10000, layout: "adjacent" });
      rec.submit();
      const half = await readChecked(ctx, xa);
      const adjacent = await readChecked(ctx, xb);
      const back = new Float32Array(xh.length);
      perm.forEach((k, j) => (back[k] = adjacent[j]!));
      assertClose(half, back, { atol: 0, rtol: 0, label: "half vs permuted adjacent" });
      assert.ok(maxRelErr(half, xh) > 1e-2, "the rotation must change x");
    });
  });

  s("the tolerance rejects a naive f32 angle at large positions", () => {
    const [rows, nHeads, headDim, theta] = [8, 1, 64, 10000];
    const rng = rngFor("rope naive");
    const xh = rng.normals(rows * nHeads * headDim);
    const ph = Uint32Array.from({ length: rows }, (_, t) => 30000 + 97 * t);
    const want = Float32Array.from(xh);
    ropeRef(want, ph, { nHeads, headDim, theta, layout: "adjacent" });
    const naive = Float32Array.from(xh);
    naiveF32Rope(naive, ph, nHeads, headDim, theta);
    assert.throws(() => assertClose(naive, want, { ...TOL, label: "naive f32 rope" }), /outside atol/);
  });

  s("ropeFrequencyTable() splits each frequency into three 7-bit parts and a remainder", () => {
    const table = ropeFrequencyTable(128, 500000);
    for (let i = 0; i < 64; i++) {
      const exact = Math.pow(500000, (-2 * i) / 128) / (2 * Math.PI);
      const parts = [table[4 * i]!, table[4 * i + 1]!, table[4 * i + 2]!, table[4 * i + 3]!];
      for (const v of parts.slice(0, 3)) {
        if (v === 0) continue;
        // 7 significant bits: v / 2^(exponent - 6) is an integer below 128.
        const m = Math.abs(v) / 2 ** (Math.floor(Math.log2(Math.abs(v))) - 6);
        assert.ok(Number.isInteger(m) && m < 128, `part ${v} of frequency ${i} has more than 7 bits`);
      }
      const sum = parts[0]! + parts[1]! + parts[2]! + parts[3]!;
      assert.ok(Math.abs(sum - exact) <= exact * 2 ** -45, `frequency ${i}: parts sum to ${sum}, want ${exact}`);
    }
  });

  s("rope() rejects a wrong row width, positions of the wrong length and an odd headDim", () => {
    const x = uploadTensor(ctx, "rope.bad.x", [4, 12], "f32", new Float32Array(48), "workspace");
    const p4 = uploadTensor(ctx, "rope.bad.p4", [4], "u32", new Uint32Array(4), "activations");
    const p3 = uploadTensor(ctx, "rope.bad.p3", [3], "u32", new Uint32Array(3), "activations");
    const rec = new Recorder(ctx, "test.rope.bad");
    const opts = { nHeads: 2, headDim: 6, theta: 10000, layout: "half" } as const;
    assert.throws(() => rope(ctx, rec, x, p4, { ...opts, nHeads: 3 }), (e: unknown) => e instanceof RangeError && /expected \(T, nHeads \* headDim\) = \(T, 18\)/.test(e.message));
    assert.throws(() => rope(ctx, rec, x, p3, opts), (e: unknown) => e instanceof RangeError && /positions .* expected \[4\]/.test(e.message));
    assert.throws(() => rope(ctx, rec, x, p4, { ...opts, nHeads: 4, headDim: 3 }), (e: unknown) => e instanceof RangeError && /headDim must be a positive even integer/.test(e.message));
    assert.is(rec.dispatchCount, 0);
  });

  s.run();
  releaseAfterSuites(ctx);
}
