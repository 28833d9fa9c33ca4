/**
 * Reference SwiGLU gate, in place, float64: a[i] = silu(a[i]) * b[i], silu(v) = v / (1 + exp(-v)).
 * a, b: (T, F) row-major.
 */
export function swigluRef(a: Float32Array, b: Float32Array): void {
  if (a.length !== b.length) throw new RangeError(`swigluRef: a has ${a.length} elements, b has ${b.length}; they must match`);
  for (let i = 0; i < a.length; i++) {
    const v = a[i]!;
    // exp(-v) overflows to Infinity for v < -709 in float64; v / Infinity is then the correct -0.
    a[i] = (v / (1 + Math.exp(-v))) * b[i]!;
  }
}
