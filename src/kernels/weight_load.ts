/**
 * The one place the weight-load WGSL is joined into kernels: shaders/wload_f32.wgsl (scalar f32),
 * shaders/wload_f32x4.wgsl (vec4 f32) or shaders/wload_half.wgsl (f16/bf16 packed two per word, widened
 * to f32 in the load), prepended to a kernel that reads weights through w_at / w_vec4 at binding 2.
 */
import { WGSL } from "../gen/shaders.ts";
import type { DType } from "../gpu/tensor.ts";

/** How a kernel reads its weight binding: one element at a time, or vec4 steps. */
export type WeightAccess = "scalar" | "vec4";

/** Weight dtypes the kernels read. */
export type WeightDType = "f32" | "f16" | "bf16";

/** The weight dtype of a tensor dtype, or a TypeError naming the operand. */
export function weightDType(op: string, label: string, d: DType): WeightDType {
  if (d === "f32" || d === "f16" || d === "bf16") return d;
  throw new TypeError(`${op}: ${label} has dtype ${d}; weights must be f32, f16 or bf16`);
}

/** `kernel` WGSL with the weight loads for `dtype` in front (half formats share one text). */
export function withWeightLoad(kernel: string, access: WeightAccess, dtype: "f32" | "half"): string {
  const prelude = dtype === "half" ? WGSL.wload_half : access === "vec4" ? WGSL.wload_f32x4 : WGSL.wload_f32;
  return `${prelude}\n${kernel}`;
}

/** Override values a kernel with the half prelude needs for `dtype` (none for f32). */
export function weightOverrides(dtype: WeightDType): Readonly<Record<string, number>> {
  return dtype === "f32" ? {} : { W_BF16: dtype === "bf16" ? 1 : 0 };
}
