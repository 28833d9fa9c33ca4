/**
 * Host wrapper for the matmul kernels: y = alpha * x Wᵀ (+ y when accumulate).
 *
 * Dimensions: T tokens, K inputs, N outputs.
 *   x (T, K), W (N, K) stored (out, in), y (T, N); row-major. x and y are f32; W is f32, or f16/bf16
 *   kept as stored (two per u32 word) and widened to f32 in the kernel's loads (shaders/wload_*.wgsl).
 *
 * W may be split into row chunks (a weight larger than one binding, an embedding used as the LM head):
 * W chunk rows [row0, row0 + rows) produce y columns [row0, row0 + rows). x and y may be split into row
 * chunks too, chunked alike. One dispatch per (x chunk, W chunk) pair.
 */
import { WGSL } from "../gen/shaders.ts";
import type { GpuContext } from "../gpu/context.ts";
import type { KernelDef } from "../gpu/pipelines.ts";
import type { Recorder } from "../gpu/recorder.ts";
import { chunkBinding, type Tensor } from "../gpu/tensor.ts";
import { fmtShape } from "./checks.ts";
import { type WeightDType, weightDType, weightOverrides, withWeightLoad } from "./weight_load.ts";

/** Register block of the tiled kernel (the consts RM, RN in shaders/matmul_tiled.wgsl). */
const TILED_RM = 4;
const TILED_RN = 4;
/** Register block of the register kernel (BLOCK in shaders/matmul_regs.wgsl): 8 rows x 8 columns. */
const REGS_BLOCK = 8;

/** The matmul kernels: `regs` (register-blocked, no workgroup memory, K % 4 == 0) and `tiled` (any K). */
export type MatmulVariantName = "regs" | "tiled";

/** One launch configuration of a matmul kernel: its overrides and the y block one workgroup computes. */
interface MatmulVariant {
  readonly name: MatmulVariantName;
  /** The kernel reading f32 weights, and the one reading packed f16/bf16 weights. */
  readonly kernel: KernelDef;
  readonly halfKernel: KernelDef;
  readonly overrides: Readonly<Record<string, number>>;
  /** Rows of y (tokens) per workgroup. */
  readonly tileT: number;
  /** Columns of y (outputs) per workgroup. */
  readonly tileN: number;
}

export const MATMUL_TILED_KERNEL: KernelDef = {
  name: "matmul_tiled",
  wgsl: withWeightLoad(WGSL.matmul_tiled, "scalar", "f32"),
  entryPoint: "main",
  workgroupSize: (o) => [o.WG_X ?? 16, o.WG_Y ?? 16, 1],
};

export const MATMUL_TILED_HALF_KERNEL: KernelDef = {
  name: "matmul_tiled_half",
  wgsl: withWeightLoad(WGSL.matmul_tiled, "scalar", "half"),
  entryPoint: "main",
  workgroupSize: (o) => [o.WG_X ?? 16, o.WG_Y ?? 16, 1],
};

export const MATMUL_REGS_KERNEL: KernelDef = {
  name: "matmul_regs",
  wgsl: withWeightLoad(WGSL.matmul_regs, "vec4", "f32"),
  entryPoint: "main",
  workgroupSize: (o) => [o.WG_X ?? 8, o.WG_Y ?? 8, 1],
};

export const MATMUL_REGS_HALF_KERNEL: KernelDef = {
  name: "matmul_regs_half",
  wgsl: withWeightLoad(WGSL.matmul_regs, "vec4", "half"),
  entryPoint: "main",
  workgroupSize: (o) => [o.WG_X ?? 8, o.WG_Y ?? 8, 1],
};

/** 64x64 blocks of y per workgroup, K tiles of 16: 8 KiB of workgroup memory. */
const TILED_WG = 16;
const TILED_KT = 16;
const TILED: MatmulVariant = {
  name: "tiled",
  kernel: MATMUL_TILED_KERNEL,
  halfKernel: MATMUL_TILED_HALF_KERNEL,
  overrides: { WG_X: TILED_WG, WG_Y: TILED_WG, KT: TILED_KT },
  tileT: TILED_WG * TILED_RM,
  tileN: TILED_WG * TILED_RN,
};

/** 64x64 blocks of y per workgroup of 8x8 invocations, each holding an 8x8 block. */
const REGS_WG = 8;
const REGS: MatmulVariant = {
  name: "regs",
  kernel: MATMUL_REGS_KERNEL,
  halfKernel: MATMUL_REGS_HALF_KERNEL,
  overrides: { WG_X: REGS_WG, WG_Y: REGS_WG },
  tileT: REGS_WG * REGS_BLOCK,
  tileN: REGS_WG * REGS_BLOCK,
};

/** Largest K for which a hardware GPU gets the register kernel (a row of x or W is a few cache lines). */
const REGS_MAX_K_ON_GPU = 256;

/** Options of `matmul`. */
export interface MatmulOptions {
  /** Add alpha * x Wᵀ to y instead of overwriting y (default false). */
  readonly accumulate?: boolean;
  /** Scale of the product (default 1). */
  readonly alpha?: number;
}

/**
 * The kernel `matmul` uses for inner dimension K on this context: `regs` when K % 4 == 0 and either the
 * adapter is a software rasterizer (where it is several times faster at every shape measured: workgroup
 * memory and barriers cost more than they save on a CPU) or K <= REGS_MAX_K_ON_GPU; otherwise `tiled`.
 */
export function matmulVariantFor(ctx: GpuContext, K: number): MatmulVariantName {
  if (K % 4 !== 0) return "tiled";
  return ctx.info.software || K <= REGS_MAX_K_ON_GPU ? "regs" : "tiled";
}

/** A weight operand: f32, or half precision as stored. */
export type WeightTensor = Tensor<"f32"> | Tensor<"f16"> | Tensor<"bf16">;

/** Records y = alpha * x Wᵀ (+ y when `accumulate`). x (T, K), w (N, K), y (T, N). */
export function matmul(ctx: GpuContext, rec: Recorder, x: Tensor<"f32">, w: WeightTensor, y: Tensor<"f32">, opts: MatmulOptions = {}): void {
  matmulUsing(ctx, rec, matmulVariantFor(ctx, x.shape[1] ?? 0), x, w, y, opts);
}

/**
 * `matmul` with the kernel chosen by the caller (tests and benchmarks run both). `regs` needs K % 4 == 0
 * and x, w bound at 16-byte offsets.
 */
export function matmulUsing(
  ctx: GpuContext,
  rec: Recorder,
  variant: MatmulVariantName,
  x: Tensor<"f32">,
  w: WeightTensor,
  y: Tensor<"f32">,
  opts: MatmulOptions = {},
): void {
  const [T, K] = matrixDims("x", x);
  const wd: WeightDType = weightDType("matmul", `w (${w.label})`, w.dtype);
  const [N, Kw] = matrixDims("w", w, wd);
  const [Ty, Ny] = matrixDims("y", y);
  if (Kw !== K) throw new RangeError(`matmul: w (${w.label}) has shape ${fmtShape(w.shape)}, expected [N, ${K}] to match x ${fmtShape(x.shape)}`);
  if (Ty !== T || Ny !== N) throw new RangeError(`matmul: y (${y.label}) has shape ${fmtShape(y.shape)}, expected [${T}, ${N}] (x rows, w rows)`);
  if (x.chunks.length !== y.chunks.length || x.chunks.some((c, i) => c.rows !== y.chunks[i]!.rows)) {
    const rowsOf = (t: Tensor) => t.chunks.map((c) => c.rows).join("+");
    throw new RangeError(`matmul: x (${x.label}) and y (${y.label}) must be split into the same row chunks, got rows ${rowsOf(x)} and ${rowsOf(y)}`);
  }
  const alpha = opts.alpha ?? 1;
  if (!Number.isFinite(alpha)) throw new RangeError(`matmul: alpha must be a finite number, got ${alpha}`);
  const accumulate = opts.accumulate ?? false;
  const v = variant === "regs" ? REGS : TILED;
  if (v === REGS) {
    if (K % 4 !== 0) throw new RangeError(`matmul: the regs kernel needs K % 4 == 0, got K = ${K} (use the tiled kernel)`);
    for (const c of [...x.chunks, ...w.chunks]) {
      if (c.offset % 16 !== 0) throw new RangeError(`matmul: the regs kernel binds x and w as vec4 arrays and needs 16-byte chunk offsets, got ${c.offset}`);
    }
  }
  const kernel = wd === "f32" ? v.kernel : v.halfKernel;
  const overrides = wd === "f32" ? v.overrides : { ...v.overrides, ...weightOverrides(wd) };
  if (T === 0 || N === 0) return;
  const maxDim = ctx.limits.maxComputeWorkgroupsPerDimension;
  x.chunks.forEach((cx, i) => {
    if (cx.rows === 0) return;
    const cy = y.chunks[i]!;
    const gy = Math.ceil(cx.rows / v.tileT);
    for (const cw of w.chunks) {
      if (cw.rows === 0) continue;
      const gx = Math.ceil(cw.rows / v.tileN);
      if (gx > maxDim || gy > maxDim) {
        throw new RangeError(`matmul: a ${cx.rows}x${cw.rows} block needs (${gx}, ${gy}) workgroups of ${v.tileT}x${v.tileN}; each must be at most ${maxDim} (split x or w into smaller row chunks)`);
      }
      rec.dispatch({
        kernel,
        overrides,
        uniforms: [["u32", cx.rows], ["u32", K], ["u32", cw.rows], ["u32", cw.row0], ["u32", N], ["f32", alpha], ["u32", accumulate ? 1 : 0]],
        storage: [chunkBinding(cx), chunkBinding(cw), chunkBinding(cy)],
        workgroups: [gx, gy, 1],
      });
    }
  });
}

function matrixDims(name: string, t: Tensor, dtype: WeightDType = "f32"): [number, number] {
  if (t.dtype !== dtype) throw new TypeError(`matmul: ${name} (${t.label}) has dtype ${t.dtype}, expected ${dtype}`);
  if (t.shape.length !== 2) throw new RangeError(`matmul: ${name} (${t.label}) has shape ${fmtShape(t.shape)}, expected a matrix [rows, cols]`);
  return [t.shape[0]!, t.shape[1]!];
}
