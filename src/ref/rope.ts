/**
 * Reference rotary position embedding, in place, float64 angles and products.
 *
 * x: (T, nHeads * headDim) row-major; positions: (T). For each row t, head h and pair index
 * i < headDim/2 the angle is positions[t] * theta^(-2i/headDim) and the pair (a, b) becomes
 * (a cos - b sin, a sin + b cos), where the pair is
 *   "adjacent" (llama2.c):            (x[h*headDim + 2i], x[h*headDim + 2i + 1])
 *   "half" (Hugging Face rotate_half): (x[h*headDim + i],  x[h*headDim + i + headDim/2]).
 */
import type { RopeLayout } from "../kernels/rope.ts";

export interface RopeRefOptions {
  readonly nHeads: number;
  readonly headDim: number;
  readonly theta: number;
  readonly layout: RopeLayout;
}

export function ropeRef(x: Float32Array, positions: Uint32Array, o: RopeRefOptions): void {
  const width = o.nHeads * o.headDim;
  if (o.headDim % 2 !== 0) throw new RangeError(`ropeRef: headDim must be even, got ${o.headDim}`);
  if (x.length !== positions.length * width) {
    throw new RangeError(`ropeRef: x has ${x.length} elements, expected ${positions.length} positions x ${width}`);
  }
  const half = o.headDim / 2;
  for (let t = 0; t < positions.length; t++) {
    const pos = positions[t]!;
    for (let h = 0; h < o.nHeads; h++) {
      const base = t * width + h * o.headDim;
      for (let i = 0; i < half; i++) {
        const angle = pos * Math.pow(o.theta, (-2 * i) / o.headDim);
        const c = Math.cos(angle);
        const s = Math.sin(angle);
        const ia = o.layout === "adjacent" ? base + 2 * i : base + i;
        const ib = o.layout === "adjacent" ? ia + 1 : ia + half;
        const a = x[ia]!;
        const b = x[ib]!;
        x[ia] = a * c - b * s;
        x[ib] = a * s + b * c;
      }
    }
  }
}
