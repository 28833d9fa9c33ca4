/**
 * Reference RMSNorm (llama2.c `rmsnorm`, Hugging Face `LlamaRMSNorm`), float64 accumulation:
 * y[t, i] = x[t, i] / sqrt(mean_i(x[t, :]^2) + eps) * weight[i].
 *
 * x, y: (T, D) row-major; weight: (D).
 */
export function rmsnormRef(x: Float32Array, weight: Float32Array, y: Float32Array, eps: number): void {
  const d = weight.length;
  if (d === 0 || x.length % d !== 0) throw new RangeError(`rmsnormRef: x has ${x.length} elements, expected a multiple of weight's ${d} (> 0)`);
  if (y.length !== x.length) throw new RangeError(`rmsnormRef: y has ${y.length} elements, expected ${x.length} like x`);
  for (let t = 0; t < x.length / d; t++) {
    const base = t * d;
    let ss = 0;
    for (let i = 0; i < d; i++) ss += x[base + i]! * x[base + i]!;
    const scale = 1 / Math.sqrt(ss / d + eps);
    for (let i = 0; i < d; i++) y[base + i] = x[base + i]! * scale * weight[i]!;
  }
}
