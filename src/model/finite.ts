/**
 * NaN/Inf in loaded weights, found at load rather than as `<unk>` x 20 at generation: one scan per
 * tensor (f32 values, or f16/bf16 bit patterns whose exponent is all ones), and an error that names the
 * model, the tensor, the first bad index (row, column) and how many bad values it holds.
 */
import { MazoNumericError } from "../io/errors.ts";
import type { TensorValues } from "./param_store.ts";

/** Index of the first non-finite value and the count of them, or null when every value is finite. */
export function nonFinite(v: TensorValues): { first: number; count: number } | null {
  let first = -1, count = 0;
  if (v.dtype === "f32") {
    const d = v.data; // (n)
    for (let i = 0; i < d.length; i++) {
      if (!Number.isFinite(d[i]!)) {
        if (first < 0) first = i;
        count++;
      }
    }
  } else {
    const b = v.bits; // (n) 16-bit patterns
    const exp = v.dtype === "bf16" ? 0x7f80 : 0x7c00;
    for (let i = 0; i < b.length; i++) {
      if ((b[i]! & exp) === exp) {
        if (first < 0) first = i;
        count++;
      }
    }
  }
  return count === 0 ? null : { first, count };
}

/** Throws a MazoNumericError when tensor `name` (shape `shape`) of model `label` holds NaN or Inf. */
export function assertFinite(label: string, name: string, shape: readonly number[], v: TensorValues): void {
  const bad = nonFinite(v);
  if (bad === null) return;
  const cols = shape.length >= 2 ? shape[shape.length - 1]! : 0;
  const at = cols > 0 ? `index ${bad.first} (row ${Math.floor(bad.first / cols)}, column ${bad.first % cols})` : `index ${bad.first}`;
  const value = v.dtype === "f32" ? String(v.data[bad.first]) : `bits 0x${v.bits[bad.first]!.toString(16).padStart(4, "0")} (${v.dtype})`;
  throw new MazoNumericError(
    `${label}: tensor ${name} [${shape.join(", ")}] holds ${bad.count} non-finite value${bad.count === 1 ? "" : "s"}, the first ${value} at ${at}; a model with NaN or Inf weights cannot give meaningful output`,
  );
}
