/** Host wrapper for shaders/bias_add.wgsl: y (T, N) += b (N) broadcast over rows (attention biases). */
import { WGSL } from "../gen/shaders.ts";
import type { GpuContext } from "../gpu/context.ts";
import { grid1d } from "../gpu/grid.ts";
import type { KernelDef } from "../gpu/pipelines.ts";
import type { Recorder } from "../gpu/recorder.ts";
import { chunkBinding, singleChunk, type Tensor } from "../gpu/tensor.ts";
import { assertShape } from "./checks.ts";

const WG = 256;

export const BIAS_ADD_KERNEL: KernelDef = {
  name: "bias_add",
  wgsl: WGSL.bias_add,
  entryPoint: "main",
  workgroupSize: (o) => [o.WG ?? WG, 1, 1],
};

/** Records y[t, :] += b for every row of every chunk of y. */
export function biasAdd(ctx: GpuContext, rec: Recorder, y: Tensor<"f32">, b: Tensor<"f32">): void {
  if (y.shape.length !== 2) throw new RangeError(`biasAdd: y (${y.label}) must be 2-D (rows, cols), got [${y.shape.join(", ")}]`);
  const cols = y.shape[1]!;
  assertShape("biasAdd", "b", b, [cols]);
  const bc = singleChunk(b, "biasAdd");
  for (const c of y.chunks) {
    rec.dispatch({
      kernel: BIAS_ADD_KERNEL,
      overrides: { WG },
      uniforms: [["u32", c.rows], ["u32", cols]],
      storage: [chunkBinding(c), chunkBinding(bc)],
      workgroups: grid1d(c.rows * cols, WG, ctx.limits.maxComputeWorkgroupsPerDimension),
    });
  }
}
