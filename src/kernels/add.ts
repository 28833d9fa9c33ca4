/** Host wrapper for shaders/add.wgsl: in-place residual add x += y over tensors of the same shape. */
import { WGSL } from "../gen/shaders.ts";
import type { GpuContext } from "../gpu/context.ts";
import { grid1d } from "../gpu/grid.ts";
import type { KernelDef } from "../gpu/pipelines.ts";
import type { Recorder } from "../gpu/recorder.ts";
import { chunkBinding, type Tensor } from "../gpu/tensor.ts";
import { assertSameLayout } from "./checks.ts";

const WG = 256;

export const ADD_KERNEL: KernelDef = {
  name: "add",
  wgsl: WGSL.add,
  entryPoint: "main",
  workgroupSize: (o) => [o.WG ?? WG, 1, 1],
};

/** Records x += y (element-wise, every chunk). x and y must have the same shape and chunking. */
export function add(ctx: GpuContext, rec: Recorder, x: Tensor<"f32">, y: Tensor<"f32">): void {
  assertSameLayout("add", x, y);
  x.chunks.forEach((cx, i) => {
    const n = cx.rows * x.rowElems;
    rec.dispatch({
      kernel: ADD_KERNEL,
      overrides: { WG },
      uniforms: [["u32", n]],
      storage: [chunkBinding(cx), chunkBinding(y.chunks[i]!)],
      workgroups: grid1d(n, WG, ctx.limits.maxComputeWorkgroupsPerDimension),
    });
  });
}
