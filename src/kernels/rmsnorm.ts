/**
 * Host wrapper for shaders/rmsnorm.wgsl: RMSNorm with weight over the rows of x (one workgroup per row).
 *
 * Dimension legend: T rows (tokens), D row width (model dimension).
 */
import { WGSL } from "../gen/shaders.ts";
import type { GpuContext } from "../gpu/context.ts";
import { grid1d } from "../gpu/grid.ts";
import type { KernelDef } from "../gpu/pipelines.ts";
import type { Recorder } from "../gpu/recorder.ts";
import { chunkBinding, singleChunk, type Tensor } from "../gpu/tensor.ts";
import { assertSameLayout, assertShape, fmtShape } from "./checks.ts";

/** Invocations per workgroup (one workgroup per row); a power of two for the tree reduction. */
const WG = 256;

export const RMSNORM_KERNEL: KernelDef = {
  name: "rmsnorm",
  wgsl: WGSL.rmsnorm,
  entryPoint: "main",
  workgroupSize: (o) => [o.WG ?? WG, 1, 1],
};

/**
 * Records y[t, i] = x[t, i] / sqrt(mean_i(x[t, :]^2) + eps) * weight[i] (llama2.c / HF LlamaRMSNorm).
 *
 * @param x (T, D), may be row-chunked; y must be chunked the same way and must not be x.
 * @param weight (D), one chunk.
 * @param eps added to the mean square, > 0 or 0 (finite).
 */
export function rmsnorm(ctx: GpuContext, rec: Recorder, x: Tensor<"f32">, weight: Tensor<"f32">, y: Tensor<"f32">, eps: number): void {
  if (x.shape.length !== 2) throw new RangeError(`rmsnorm: x (${x.label}) has shape ${fmtShape(x.shape)}, expected (T, D)`);
  const d = x.shape[1]!;
  if (d === 0) throw new RangeError(`rmsnorm: x (${x.label}) has shape ${fmtShape(x.shape)}; D must be at least 1`);
  assertShape("rmsnorm", "weight", weight, [d]);
  assertSameLayout("rmsnorm", x, y);
  if (x === y || x.chunks.some((c, i) => c.buffer === y.chunks[i]!.buffer)) {
    throw new RangeError(`rmsnorm: y (${y.label}) shares buffers with x (${x.label}); the kernel is not in place`);
  }
  if (!Number.isFinite(eps) || eps < 0) throw new RangeError(`rmsnorm: eps must be a finite number >= 0, got ${eps}`);
  const w = chunkBinding(singleChunk(weight, "rmsnorm"));
  x.chunks.forEach((cx, k) => {
    rec.dispatch({
      kernel: RMSNORM_KERNEL,
      overrides: { WG },
      uniforms: [["u32", cx.rows], ["u32", d], ["f32", eps]],
      storage: [chunkBinding(cx), w, chunkBinding(y.chunks[k]!)],
      workgroups: grid1d(cx.rows, 1, ctx.limits.maxComputeWorkgroupsPerDimension),
    });
  });
}
