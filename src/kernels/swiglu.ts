/** Host wrapper for shaders/swiglu.wgsl: in-place SwiGLU gate a = silu(a) * b over tensors of the same shape. */
import { WGSL } from "../gen/shaders.ts";
import type { GpuContext } from "../gpu/context.ts";
import { grid1d } from "../gpu/grid.ts";
import type { KernelDef } from "../gpu/pipelines.ts";
import type { Recorder } from "../gpu/recorder.ts";
import { chunkBinding, type Tensor } from "../gpu/tensor.ts";
import { assertSameLayout } from "./checks.ts";

/** Invocations per workgroup, one element each. */
const WG = 256;

export const SWIGLU_KERNEL: KernelDef = {
  name: "swiglu",
  wgsl: WGSL.swiglu,
  entryPoint: "main",
  workgroupSize: (o) => [o.WG ?? WG, 1, 1],
};

/**
 * Records a = silu(a) * b element-wise, silu(v) = v / (1 + exp(-v)), overflow-free for any finite v.
 *
 * @param a (T, F), may be row-chunked; updated in place.
 * @param b (T, F), chunked like a; must not be a.
 */
export function swiglu(ctx: GpuContext, rec: Recorder, a: Tensor<"f32">, b: Tensor<"f32">): void {
  assertSameLayout("swiglu", a, b);
  if (a === b || a.chunks.some((c, i) => c.buffer === b.chunks[i]!.buffer)) {
    throw new RangeError(`swiglu: b (${b.label}) shares buffers with a (${a.label}); they must be distinct tensors`);
  }
  a.chunks.forEach((ca, k) => {
    const n = ca.rows * a.rowElems;
    rec.dispatch({
      kernel: SWIGLU_KERNEL,
      overrides: { WG },
      uniforms: [["u32", n]],
      storage: [chunkBinding(ca), chunkBinding(b.chunks[k]!)],
      workgroups: grid1d(n, WG, ctx.limits.maxComputeWorkgroupsPerDimension),
    });
  });
}
