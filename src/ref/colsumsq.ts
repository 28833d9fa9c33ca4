/**
 * Reference per-column weighted sum of squares, float64 accumulation:
 * out[j] (+)= sum_t w[t] * x[t, j]^2, with w = rowWeights or all ones.
 *
 * x: (T, K) row-major; rowWeights: (T); out: (K).
 */
export function colSumSqRef(x: Float32Array, out: Float32Array, rowWeights?: Float32Array, accumulate = false): void {
  const k = out.length;
  if (k === 0 || x.length % k !== 0) throw new RangeError(`colSumSqRef: x has ${x.length} elements, expected a multiple of out's ${k} (> 0)`);
  const rows = x.length / k;
  if (rowWeights !== undefined && rowWeights.length !== rows) throw new RangeError(`colSumSqRef: rowWeights has ${rowWeights.length} elements, expected ${rows}`);
  for (let j = 0; j < k; j++) {
    let s = accumulate ? out[j]! : 0;
    for (let t = 0; t < rows; t++) {
      const v = x[t * k + j]!;
      s += (rowWeights === undefined ? 1 : rowWeights[t]!) * v * v;
    }
    out[j] = s;
  }
}
