/**
 * Host wrapper for shaders/attention.wgsl: causal multi-head attention with grouped-query heads over a
 * batch of right-padded sequences, for training/scoring (whole sequences) and for decoding with a KV
 * cache (a few new queries against a longer cache).
 *
 * Dimensions: B batch, Sq query slots and Sk key slots per sequence, H query heads, Hkv key/value heads
 * (Hkv divides H; head h reads kv head floor(h / (H / Hkv)), as llama2.c and Hugging Face repeat_kv),
 * D head dimension.
 */
import { WGSL } from "../gen/shaders.ts";
import type { GpuContext } from "../gpu/context.ts";
import { grid1d } from "../gpu/grid.ts";
import type { KernelDef } from "../gpu/pipelines.ts";
import type { Recorder } from "../gpu/recorder.ts";
import { chunkBinding, singleChunk, type Tensor } from "../gpu/tensor.ts";
import { assertShape } from "./checks.ts";

/** Invocations per workgroup; also the key tile length. */
const WG = 64;
/** Largest head dimension the kernel takes (its workgroup arrays hold this many floats; >= WG). */
export const ATTENTION_MAX_HEAD_DIM = 256;

export const ATTENTION_KERNEL: KernelDef = {
  name: "attention",
  wgsl: WGSL.attention,
  entryPoint: "main",
  workgroupSize: (o) => [o.WG ?? WG, 1, 1],
};

/** Invocations per workgroup of the one-row-per-invocation variant. */
const ROWS_WG = 64;
/** Largest head dimension the one-row-per-invocation variant handles (its register tile). */
export const ATTENTION_ROWS_MAX_HEAD_DIM = 64;

/**
 * One invocation per (query row, head) with the output row in registers: used for heads of at most 64
 * dimensions (a multiple of 4), where the workgroup-per-row kernel leaves most lanes idle.
 */
export const ATTENTION_ROWS_KERNEL: KernelDef = {
  name: "attention_rows",
  wgsl: WGSL.attention_rows,
  entryPoint: "main",
  workgroupSize: (o) => [o.WG ?? ROWS_WG, 1, 1],
};

/** Extents of one attention call. */
export interface AttentionShape {
  /** Sequences in the batch. */
  batch: number;
  /** Query slots per sequence (q and out have batch*sq rows). */
  sq: number;
  /** Key slots per sequence (k and v have batch*sk rows): the sequence length, or the KV cache length. */
  sk: number;
  nHeads: number;
  /** Key/value heads; must divide nHeads. */
  nKvHeads: number;
  headDim: number;
}

function assertPositiveInt(name: string, x: number, max = Infinity): void {
  if (!Number.isInteger(x) || x < 1 || x > max) {
    throw new RangeError(`attention: shape.${name} must be an integer in [1, ${max}], got ${x}`);
  }
}

/**
 * Records causal attention `out = softmax(q kᵀ / sqrt(D) + causal/padding mask) v`, per sequence and head.
 *
 * - q, out: (batch*sq, nHeads*headDim); k, v: (batch*sk, nKvHeads*headDim); all single-chunk.
 * - meta: (batch, 2) u32, [qStart, kvLen] per sequence. Query slot i of sequence b is at position
 *   qStart+i and attends keys j <= qStart+i with j < kvLen (key slot j of sequence b is row b*sk + j).
 *   Rows of query slots at positions >= kvLen (padding) are written as zeros.
 *   Training/scoring: qStart = 0, sq = sk = S, kvLen = each sequence's length. Decoding: sk = cache
 *   length, qStart = current position, kvLen = qStart + sq.
 * - meta lives on the GPU and is not validated here: kvLen must be <= sk (the kernel clamps to sk so it
 *   never reads another sequence's keys, but the result is then not attention over kvLen keys).
 *
 * Throws a RangeError when a shape or dtype does not match `shape` or an operand is split into chunks.
 */
export function attention(
  ctx: GpuContext,
  rec: Recorder,
  q: Tensor<"f32">,
  k: Tensor<"f32">,
  v: Tensor<"f32">,
  out: Tensor<"f32">,
  meta: Tensor<"u32">,
  shape: AttentionShape,
): void {
  const { batch, sq, sk, nHeads, nKvHeads, headDim } = shape;
  for (const name of ["batch", "sq", "sk", "nHeads", "nKvHeads"] as const) assertPositiveInt(name, shape[name]);
  assertPositiveInt("headDim", headDim, ATTENTION_MAX_HEAD_DIM);
  if (nHeads % nKvHeads !== 0) {
    throw new RangeError(`attention: nKvHeads (${nKvHeads}) must divide nHeads (${nHeads})`);
  }
  const qShape = [batch * sq, nHeads * headDim], kvShape = [batch * sk, nKvHeads * headDim];
  // In binding order (1..5): name, tensor, dtype, shape.
  const operands = [["meta", meta, "u32", [batch, 2]], ["q", q, "f32", qShape], ["k", k, "f32", kvShape], ["v", v, "f32", kvShape], ["out", out, "f32", qShape]] as const;
  for (const [name, t, dtype] of operands) {
    if (t.dtype !== dtype) throw new RangeError(`attention: ${name} (${t.label}) has dtype ${t.dtype}, expected ${dtype}`);
  }
  for (const [name, t, , dims] of operands) assertShape("attention", name, t, dims);
  const bindings = operands.map(([, t]) => chunkBinding(singleChunk(t, "attention")));

  const n = batch * sq * nHeads;
  if (headDim % 4 === 0 && headDim <= ATTENTION_ROWS_MAX_HEAD_DIM) {
    // Small heads: one invocation per (row, head), no barriers (see attention_rows.wgsl).
    rec.dispatch({
      kernel: ATTENTION_ROWS_KERNEL,
      overrides: { WG: ROWS_WG, D4: headDim / 4 },
      uniforms: [
        ["u32", n],
        ["u32", sq],
        ["u32", sk],
        ["u32", nHeads],
        ["u32", nHeads / nKvHeads],
        ["u32", (nHeads * headDim) / 4],
        ["u32", (nKvHeads * headDim) / 4],
        ["f32", 1 / Math.sqrt(headDim)],
      ],
      storage: bindings,
      workgroups: grid1d(n, ROWS_WG, ctx.limits.maxComputeWorkgroupsPerDimension),
    });
    return;
  }
  rec.dispatch({
    kernel: ATTENTION_KERNEL,
    overrides: { WG, MAX_D: ATTENTION_MAX_HEAD_DIM },
    uniforms: [
      ["u32", n],
      ["u32", sq],
      ["u32", sk],
      ["u32", nHeads],
      ["u32", headDim],
      ["u32", nHeads / nKvHeads],
      ["u32", headDim <= WG ? Math.floor(WG / headDim) : 1],
      ["u32", nHeads * headDim],
      ["u32", nKvHeads * headDim],
      ["f32", 1 / Math.sqrt(headDim)],
    ],
    storage: bindings,
    workgroups: grid1d(n, 1, ctx.limits.maxComputeWorkgroupsPerDimension),
  });
}
