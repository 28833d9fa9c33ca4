/**
 * Host wrapper for shaders/rope.wgsl: rotary position embedding in place, in the llama2.c ("adjacent")
 * or Hugging Face ("half") layout, with angles accurate to ~1e-6 rad for positions below 2^17.
 *
 * Dimension legend: T rows (tokens), H heads, Dh head dimension.
 */
import { WGSL } from "../gen/shaders.ts";
import type { GpuContext } from "../gpu/context.ts";
import { grid1d } from "../gpu/grid.ts";
import type { KernelDef } from "../gpu/pipelines.ts";
import type { Recorder } from "../gpu/recorder.ts";
import { chunkBinding, singleChunk, type Tensor, uploadTensor } from "../gpu/tensor.ts";
import type { RopeLayout } from "../model/config.ts";
import { assertShape, fmtShape } from "./checks.ts";

export type { RopeLayout } from "../model/config.ts";

/** Options of {@link rope}: heads, head dimension, frequency base and the rotation layout. */
export interface RopeOptions {
  readonly nHeads: number;
  readonly headDim: number;
  /** Frequency base: 10000 for LLaMA 1/2, 500000 for LLaMA 3. */
  readonly theta: number;
  readonly layout: RopeLayout;
}

/** Positions below this are rotated with an exact angle reduction (see shaders/rope.wgsl). */
export const ROPE_EXACT_POSITIONS = 1 << 17;

/** Invocations per workgroup, one rotation pair each. */
const WG = 256;
/** Significant bits of each of the three exact parts of a frequency: 7 + 17 position bits = 24. */
const PART_BITS = 7;

export const ROPE_KERNEL: KernelDef = {
  name: "rope",
  wgsl: WGSL.rope,
  entryPoint: "main",
  workgroupSize: (o) => [o.WG ?? WG, 1, 1],
};

/** v rounded to PART_BITS significant bits (the sign kept: remainders of round-to-nearest may be negative). */
function roundToPartBits(v: number): number {
  const a = Math.abs(v);
  if (a === 0) return 0;
  let e = Math.floor(Math.log2(a));
  if (a >= 2 ** (e + 1)) e++;
  if (a < 2 ** e) e--;
  const scale = 2 ** (e - (PART_BITS - 1));
  return Math.sign(v) * Math.round(a / scale) * scale;
}

/**
 * The frequency table, (Dh/2, 4): f_i = theta^(-2i/Dh) / (2 pi) in turns per position, split as
 * f_i = x + y + z + w with x, y, z of PART_BITS bits each and w the f32 remainder.
 */
export function ropeFrequencyTable(headDim: number, theta: number): Float32Array {
  const half = headDim / 2;
  const out = new Float32Array(half * 4);
  for (let i = 0; i < half; i++) {
    let rest = Math.pow(theta, (-2 * i) / headDim) / (2 * Math.PI);
    for (let part = 0; part < 3; part++) {
      const v = roundToPartBits(rest);
      out[4 * i + part] = v;
      rest -= v;
    }
    out[4 * i + 3] = rest;
  }
  return out;
}

// Frequency tables already on each device, by "headDim/theta". Keyed weakly by context, so a destroyed
// and dropped context takes its tables with it.
const tables = new WeakMap<GpuContext, Map<string, Tensor<"f32">>>();

function frequencyTensor(ctx: GpuContext, headDim: number, theta: number): Tensor<"f32"> {
  let byKey = tables.get(ctx);
  if (byKey === undefined) {
    byKey = new Map();
    tables.set(ctx, byKey);
  }
  const key = `${headDim}/${theta}`;
  let t = byKey.get(key);
  if (t === undefined) {
    t = uploadTensor(ctx, `rope.freq(headDim=${headDim}, theta=${theta})`, [headDim / 2, 4], "f32", ropeFrequencyTable(headDim, theta), "weights");
    byKey.set(key, t);
  }
  return t;
}

/**
 * Records the rotation of every head of every row of x by its row's position, in place.
 *
 * @param x (T, nHeads * headDim), may be row-chunked.
 * @param positions (T), one chunk; positions[t] is the position of row t. Positions at or above
 *   ROPE_EXACT_POSITIONS (2^17) still work but lose angle accuracy gradually (f32 rounding of pos * f).
 */
export function rope(ctx: GpuContext, rec: Recorder, x: Tensor<"f32">, positions: Tensor<"u32">, opts: RopeOptions): void {
  const { nHeads, headDim, theta, layout } = opts;
  if (!Number.isInteger(nHeads) || nHeads < 1) throw new RangeError(`rope: nHeads must be a positive integer, got ${nHeads}`);
  if (!Number.isInteger(headDim) || headDim < 2 || headDim % 2 !== 0) throw new RangeError(`rope: headDim must be a positive even integer, got ${headDim}`);
  if (!Number.isFinite(theta) || theta <= 0) throw new RangeError(`rope: theta must be a finite number > 0, got ${theta}`);
  if (layout !== "adjacent" && layout !== "half") throw new RangeError(`rope: layout must be "adjacent" or "half", got ${String(layout)}`);
  if (x.shape.length !== 2 || x.shape[1] !== nHeads * headDim) {
    throw new RangeError(`rope: x (${x.label}) has shape ${fmtShape(x.shape)}, expected (T, nHeads * headDim) = (T, ${nHeads * headDim})`);
  }
  assertShape("rope", "positions", positions, [x.shape[0]!]);
  const pos = chunkBinding(singleChunk(positions, "rope"));
  const freq = chunkBinding(singleChunk(frequencyTensor(ctx, headDim, theta), "rope"));
  const half = headDim / 2;
  for (const cx of x.chunks) {
    const pairs = cx.rows * nHeads * half;
    rec.dispatch({
      kernel: ROPE_KERNEL,
      overrides: { WG },
      uniforms: [["u32", cx.rows], ["u32", cx.row0], ["u32", nHeads], ["u32", half], ["u32", layout === "adjacent" ? 0 : 1]],
      storage: [chunkBinding(cx), pos, freq],
      workgroups: grid1d(pairs, WG, ctx.limits.maxComputeWorkgroupsPerDimension),
    });
  }
}
