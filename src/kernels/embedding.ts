/**
 * Host wrapper for shaders/embedding.wgsl: embedding gather out[t, :] = table[tokens[t], :], with the
 * table and the output possibly split into row chunks (one dispatch per pair of chunks).
 *
 * Dimension legend: V vocabulary rows, D embedding width, T tokens.
 */
import { WGSL } from "../gen/shaders.ts";
import type { GpuContext } from "../gpu/context.ts";
import { grid1d } from "../gpu/grid.ts";
import type { KernelDef } from "../gpu/pipelines.ts";
import type { Recorder } from "../gpu/recorder.ts";
import { chunkBinding, singleChunk, type Tensor } from "../gpu/tensor.ts";
import { assertShape, fmtShape } from "./checks.ts";
import type { WeightTensor } from "./matmul.ts";
import { weightDType, weightOverrides, withWeightLoad } from "./weight_load.ts";

/** Invocations per workgroup, one output element each. */
const WG = 256;

export const EMBEDDING_KERNEL: KernelDef = {
  name: "embedding",
  wgsl: withWeightLoad(WGSL.embedding, "scalar", "f32"),
  entryPoint: "main",
  workgroupSize: (o) => [o.WG ?? WG, 1, 1],
};

/** The gather from a table kept in f16/bf16 (two per word), widened to f32 as it is read. */
export const EMBEDDING_HALF_KERNEL: KernelDef = {
  name: "embedding_half",
  wgsl: withWeightLoad(WGSL.embedding, "scalar", "half"),
  entryPoint: "main",
  workgroupSize: (o) => [o.WG ?? WG, 1, 1],
};

/**
 * Records out[t, :] = table[tokens[t], :].
 *
 * A token id >= V does not read out of bounds: its output row is written as zeros. The GPU cannot
 * report bad ids, so the model layer validates ids on the host before it uploads them.
 *
 * @param table (V, D) f32, f16 or bf16 (as stored), may be row-chunked (an embedding larger than one binding).
 * @param tokens (T), one chunk.
 * @param out (T, D), may be row-chunked.
 */
export function embedding(ctx: GpuContext, rec: Recorder, table: WeightTensor, tokens: Tensor<"u32">, out: Tensor<"f32">): void {
  const wd = weightDType("embedding", `table (${table.label})`, table.dtype);
  if (table.shape.length !== 2) throw new RangeError(`embedding: table (${table.label}) has shape ${fmtShape(table.shape)}, expected (V, D)`);
  const [vocab, d] = table.shape as [number, number];
  assertShape("embedding", "out", out, [tokens.shape[0] ?? 0, d]);
  assertShape("embedding", "tokens", tokens, [out.shape[0]!]);
  const tok = chunkBinding(singleChunk(tokens, "embedding"));
  const maxDim = ctx.limits.maxComputeWorkgroupsPerDimension;
  for (const co of out.chunks) {
    table.chunks.forEach((ct, k) => {
      rec.dispatch({
        kernel: wd === "f32" ? EMBEDDING_KERNEL : EMBEDDING_HALF_KERNEL,
        overrides: { WG, ...weightOverrides(wd) },
        uniforms: [["u32", co.rows], ["u32", co.row0], ["u32", d], ["u32", ct.row0], ["u32", ct.rows], ["u32", vocab], ["u32", k === 0 ? 1 : 0]],
        storage: [tok, chunkBinding(ct), chunkBinding(co)],
        workgroups: grid1d(co.rows * d, WG, maxDim),
      });
    });
  }
}
