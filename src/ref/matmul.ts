/**
 * Reference matmul: y = alpha * x Wᵀ (+ y when accumulate), float64 accumulation.
 *
 * Dimensions: T tokens (rows of x and y), K inputs (columns of x and W), N outputs (rows of W, columns of y).
 *   x (T, K), W (N, K) stored (out, in) as llama2.c and Hugging Face store weights, y (T, N); all row-major.
 */
export interface MatmulRefOptions {
  /** Add the product to the existing y instead of overwriting it (default false). */
  readonly accumulate?: boolean;
  /** Scale of the product (default 1). */
  readonly alpha?: number;
}

/** Computes y = alpha * x Wᵀ (+ y) in place on `y`, with float64 sums. */
export function matmulRef(
  x: Float32Array,
  w: Float32Array,
  y: Float32Array,
  T: number,
  K: number,
  N: number,
  opts: MatmulRefOptions = {},
): void {
  if (x.length !== T * K) throw new RangeError(`matmulRef: x has ${x.length} elements, expected T*K = ${T}*${K} = ${T * K}`);
  if (w.length !== N * K) throw new RangeError(`matmulRef: w has ${w.length} elements, expected N*K = ${N}*${K} = ${N * K}`);
  if (y.length !== T * N) throw new RangeError(`matmulRef: y has ${y.length} elements, expected T*N = ${T}*${N} = ${T * N}`);
  const alpha = opts.alpha ?? 1;
  const accumulate = opts.accumulate ?? false;
  for (let t = 0; t < T; t++) {
    const x_t = t * K;
    for (let n = 0; n < N; n++) {
      const w_n = n * K;
      let sum = 0;
      for (let k = 0; k < K; k++) sum += x[x_t + k]! * w[w_n + k]!;
      const i = t * N + n;
      y[i] = alpha * sum + (accumulate ? y[i]! : 0);
    }
  }
}
