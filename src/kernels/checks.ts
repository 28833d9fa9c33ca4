/** Shape and layout assertions shared by the kernel wrappers. Each throws a RangeError naming the op. */
import type { Tensor } from "../gpu/tensor.ts";

/** Formats a shape as "[a, b, c]". */
export function fmtShape(shape: readonly number[]): string {
  return `[${shape.join(", ")}]`;
}

/** Asserts `t` has exactly `shape`. */
export function assertShape(op: string, name: string, t: Tensor, shape: readonly number[]): void {
  if (t.shape.length !== shape.length || t.shape.some((d, i) => d !== shape[i])) {
    throw new RangeError(`${op}: ${name} (${t.label}) has shape ${fmtShape(t.shape)}, expected ${fmtShape(shape)}`);
  }
}

/** Asserts `a` and `b` have the same shape and the same row chunks. */
export function assertSameLayout(op: string, a: Tensor, b: Tensor): void {
  assertShape(op, b.label, b, a.shape);
  if (a.chunks.length !== b.chunks.length || a.chunks.some((c, i) => c.rows !== b.chunks[i]!.rows)) {
    throw new RangeError(`${op}: ${a.label} and ${b.label} are chunked differently (${a.chunks.length} vs ${b.chunks.length} chunks)`);
  }
}
