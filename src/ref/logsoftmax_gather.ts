/**
 * Reference log-softmax gather (plain loops, float64): out[t] = logits[t, targets[t]] - logsumexp(logits[t, :])
 * over logits (T, V) row-major; 0 where targets[t] < 0 (ignored), NaN where targets[t] >= V, as the kernel.
 */
export function logSoftmaxGatherRef(
  logits: Float32Array,
  targets: Int32Array,
  V: number,
  out: Float32Array,
  logSumExp?: Float32Array,
): void {
  const T = targets.length;
  if (!Number.isInteger(V) || V < 1) throw new RangeError(`logSoftmaxGatherRef: V must be a positive integer, got ${V}`);
  if (logits.length !== T * V) throw new RangeError(`logSoftmaxGatherRef: logits has ${logits.length} elements, expected T*V = ${T}*${V}`);
  if (out.length !== T) throw new RangeError(`logSoftmaxGatherRef: out has ${out.length} elements, expected T = ${T}`);
  if (logSumExp !== undefined && logSumExp.length !== T) throw new RangeError(`logSoftmaxGatherRef: logSumExp has ${logSumExp.length} elements, expected T = ${T}`);
  for (let t = 0; t < T; t++) {
    const row_t = t * V;
    let max = -Infinity;
    for (let v = 0; v < V; v++) max = Math.max(max, logits[row_t + v]!);
    let sum = 0;
    for (let v = 0; v < V; v++) sum += Math.exp(logits[row_t + v]! - max);
    const lse = max + Math.log(sum);
    if (logSumExp !== undefined) logSumExp[t] = lse;
    const target = targets[t]!;
    out[t] = target < 0 ? 0 : target >= V ? NaN : logits[row_t + target]! - lse;
  }
}
