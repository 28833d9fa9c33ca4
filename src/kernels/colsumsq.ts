/**
 * Host wrapper for shaders/colsumsq.wgsl: per-input-column weighted sum of squares over rows,
 * out[j] (+)= sum_t w[t] * x[t, j]^2 (||X_j||^2 over tokens for importance scores; padding rows get w = 0).
 *
 * Two levels: the rows of each chunk of x are cut into row blocks, one workgroup per (column block,
 * row block) writes a partial sum into a per-context scratch buffer, and a second dispatch of the same
 * kernel sums the partials into out. With a single row block the first level writes out directly.
 * Results are deterministic (no atomics). Dimension legend: T rows (tokens), K columns.
 */
import { WGSL } from "../gen/shaders.ts";
import type { GpuContext } from "../gpu/context.ts";
import type { KernelDef } from "../gpu/pipelines.ts";
import type { Recorder, StorageBinding } from "../gpu/recorder.ts";
import { chunkBinding, createTensor, singleChunk, type Tensor } from "../gpu/tensor.ts";
import { assertShape, fmtShape } from "./checks.ts";

/** Columns per workgroup (adjacent, for coalesced reads). */
const WG_X = 64;
/** Row lanes per workgroup; WG_X * WG_Y = 256 invocations. */
const WG_Y = 4;
/** Row blocks are cut so that a dispatch has about this many workgroups... */
const TARGET_WORKGROUPS = 1024;
/** ...but no block has fewer rows than this (16 per lane). */
const MIN_ROWS_PER_BLOCK = 64;
/** Elements of the per-context scratch for partial sums (512 KiB); row blocks * K never exceed it. */
export const COLSUMSQ_SCRATCH_ELEMS = 1 << 17;

export const COLSUMSQ_KERNEL: KernelDef = {
  name: "colsumsq",
  wgsl: WGSL.colsumsq,
  entryPoint: "main",
  workgroupSize: (o) => [o.WG_X ?? WG_X, o.WG_Y ?? WG_Y, 1],
};

/** Options of {@link colSumSq}: per-row weights and accumulation. */
export interface ColSumSqOptions {
  /** (T) weight of each row (default all ones). */
  readonly rowWeights?: Tensor<"f32">;
  /** Add to out instead of overwriting it (default false). */
  readonly accumulate?: boolean;
}

// The partial-sum scratch of each context. Dispatches in a queue run in order, so one scratch serves
// every colSumSq call: each call's second level reads the partials before the next call writes them.
const scratches = new WeakMap<GpuContext, Tensor<"f32">>();

function scratchFor(ctx: GpuContext): Tensor<"f32"> {
  let s = scratches.get(ctx);
  if (s === undefined) {
    s = createTensor(ctx, "colsumsq.partials", [COLSUMSQ_SCRATCH_ELEMS], "f32", "workspace");
    scratches.set(ctx, s);
  }
  return s;
}

/** Row blocks for `rows` rows of `k` columns: how many, and rows in each. */
export function colSumSqBlocks(rows: number, k: number): { blocks: number; rowsPerBlock: number } {
  const colBlocks = Math.ceil(k / WG_X);
  const want = Math.min(Math.floor(COLSUMSQ_SCRATCH_ELEMS / k), Math.ceil(TARGET_WORKGROUPS / colBlocks), Math.ceil(rows / MIN_ROWS_PER_BLOCK));
  const rowsPerBlock = Math.max(1, Math.ceil(rows / Math.max(1, want)));
  return { blocks: Math.max(1, Math.ceil(rows / rowsPerBlock)), rowsPerBlock };
}

/**
 * Records out[j] (+)= sum_t w[t] * x[t, j]^2 over all rows t of x.
 *
 * @param x (T, K), may be row-chunked (chunks accumulate into out).
 * @param out (K), one chunk; overwritten unless opts.accumulate.
 * @param opts.rowWeights (T), one chunk.
 */
export function colSumSq(ctx: GpuContext, rec: Recorder, x: Tensor<"f32">, out: Tensor<"f32">, opts: ColSumSqOptions = {}): void {
  if (x.shape.length !== 2) throw new RangeError(`colSumSq: x (${x.label}) has shape ${fmtShape(x.shape)}, expected (T, K)`);
  const [rows, k] = x.shape as [number, number];
  if (k === 0) throw new RangeError(`colSumSq: x (${x.label}) has shape ${fmtShape(x.shape)}; K must be at least 1`);
  const maxDim = ctx.limits.maxComputeWorkgroupsPerDimension;
  if (Math.ceil(k / WG_X) > maxDim) throw new RangeError(`colSumSq: K = ${k} needs ${Math.ceil(k / WG_X)} column blocks, more than ${maxDim}`);
  assertShape("colSumSq", "out", out, [k]);
  const dst = chunkBinding(singleChunk(out, "colSumSq"));
  let weights: StorageBinding | null = null;
  if (opts.rowWeights !== undefined) {
    assertShape("colSumSq", "rowWeights", opts.rowWeights, [rows]);
    weights = chunkBinding(singleChunk(opts.rowWeights, "colSumSq"));
  }
  const colBlocks = Math.ceil(k / WG_X);
  const overrides = { WG_X, WG_Y };
  x.chunks.forEach((cx, c) => {
    const accumulate = c > 0 || opts.accumulate === true ? 1 : 0;
    const src = chunkBinding(cx);
    const { blocks, rowsPerBlock } = colSumSqBlocks(cx.rows, k);
    const level1 = (target: StorageBinding, acc: number) =>
      rec.dispatch({
        kernel: COLSUMSQ_KERNEL,
        overrides,
        uniforms: [["u32", cx.rows], ["u32", cx.row0], ["u32", k], ["u32", rowsPerBlock], ["u32", 1], ["u32", weights === null ? 0 : 1], ["u32", acc]],
        storage: [src, weights ?? src, target],
        workgroups: [colBlocks, blocks],
      });
    if (blocks === 1) {
      level1(dst, accumulate);
      return;
    }
    const partials = chunkBinding(singleChunk(scratchFor(ctx), "colSumSq"));
    level1(partials, 0);
    rec.dispatch({
      kernel: COLSUMSQ_KERNEL,
      overrides,
      uniforms: [["u32", blocks], ["u32", 0], ["u32", k], ["u32", blocks], ["u32", 0], ["u32", 0], ["u32", accumulate]],
      storage: [partials, partials, dst],
      workgroups: [colBlocks, 1],
    });
  });
}
