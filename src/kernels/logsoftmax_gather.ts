/**
 * Host wrapper for shaders/logsoftmax_gather.wgsl: the log-probability of each token's target under
 * its row of logits (per-token negative log-likelihood, negated), the building block for scoring answer
 * candidates. Dimensions: T tokens, V vocabulary.
 */
import { WGSL } from "../gen/shaders.ts";
import type { GpuContext } from "../gpu/context.ts";
import { grid1d } from "../gpu/grid.ts";
import type { KernelDef } from "../gpu/pipelines.ts";
import type { Recorder } from "../gpu/recorder.ts";
import { chunkBinding, singleChunk, type Tensor } from "../gpu/tensor.ts";
import { assertShape } from "./checks.ts";

/** Invocations per workgroup (one workgroup per row); a power of two for the tree reduction. */
const WG = 256;

const kernel = (entryPoint: string): KernelDef => ({
  name: `logsoftmax_gather.${entryPoint}`,
  wgsl: WGSL.logsoftmax_gather,
  entryPoint,
  workgroupSize: (o) => [o.WG ?? WG, 1, 1],
});

/** Writes out only. */
export const LOGSOFTMAX_GATHER_KERNEL: KernelDef = kernel("main");
/** Writes out and the per-row logsumexp. */
export const LOGSOFTMAX_GATHER_LSE_KERNEL: KernelDef = kernel("main_lse");

/** Options of {@link logSoftmaxGather}. */
export interface LogSoftmaxGatherOptions {
  /** (T) f32: also receives logsumexp(logits[t, :]) per row. */
  readonly logSumExp?: Tensor<"f32">;
}

/**
 * Records out[t] = logits[t, targets[t]] - logsumexp(logits[t, :]).
 *
 * - logits: (T, V) f32, may be split into row chunks (one dispatch per chunk).
 * - targets: (T) i32, single-chunk. A negative target marks an ignored position: out[t] = 0 there
 *   (logSumExp is still written). Targets live on the GPU and are not checked here: a target >= V gives
 *   out[t] = NaN; the model layer validates token ids on the host.
 * - out, opts.logSumExp: (T) f32, single-chunk.
 *
 * Throws a RangeError when shapes or dtypes disagree or a (T) operand is split into chunks.
 */
export function logSoftmaxGather(
  ctx: GpuContext,
  rec: Recorder,
  logits: Tensor<"f32">,
  targets: Tensor<"i32">,
  out: Tensor<"f32">,
  opts: LogSoftmaxGatherOptions = {},
): void {
  const op = "logSoftmaxGather";
  if (logits.shape.length !== 2 || logits.shape[1]! < 1) {
    throw new RangeError(`${op}: logits (${logits.label}) must have shape [T, V] with V >= 1, got [${logits.shape.join(", ")}]`);
  }
  const T = logits.shape[0]!;
  const V = logits.rowElems;
  const lse = opts.logSumExp;
  for (const [name, t, dtype] of [["logits", logits, "f32"], ["targets", targets, "i32"], ["out", out, "f32"], ["logSumExp", lse, "f32"]] as const) {
    if (t === undefined) continue;
    if (t.dtype !== dtype) throw new RangeError(`${op}: ${name} (${t.label}) has dtype ${t.dtype}, expected ${dtype}`);
    if (name !== "logits") assertShape(op, name, t, [T]);
  }
  const tail = [targets, out, ...(lse === undefined ? [] : [lse])].map((t) => chunkBinding(singleChunk(t, op)));

  const maxDim = ctx.limits.maxComputeWorkgroupsPerDimension;
  for (const c of logits.chunks) {
    rec.dispatch({
      kernel: lse === undefined ? LOGSOFTMAX_GATHER_KERNEL : LOGSOFTMAX_GATHER_LSE_KERNEL,
      overrides: { WG },
      uniforms: [["u32", V], ["u32", c.rows], ["u32", c.row0]],
      storage: [chunkBinding(c), ...tail],
      workgroups: grid1d(c.rows, 1, maxDim),
    });
  }
}
