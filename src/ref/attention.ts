/**
 * Reference causal grouped-query attention over right-padded sequences (plain loops, float64
 * accumulation, softmax with the max subtracted). Same layout and meaning as kernels/attention.ts:
 * q, out (batch*sq, nHeads*D); k, v (batch*sk, nKvHeads*D); meta (batch, 2) = [qStart, kvLen].
 */
import type { AttentionShape } from "../kernels/attention.ts";

/** Writes attention of q over k, v into out; padding query rows (qStart + i >= kvLen) become zeros. */
export function attentionRef(
  q: Float32Array,
  k: Float32Array,
  v: Float32Array,
  out: Float32Array,
  meta: Uint32Array,
  shape: AttentionShape,
): void {
  const { batch, sq, sk, nHeads, nKvHeads, headDim: D } = shape;
  if (nHeads % nKvHeads !== 0) throw new RangeError(`attentionRef: nKvHeads (${nKvHeads}) must divide nHeads (${nHeads})`);
  const qStride = nHeads * D;
  const kvStride = nKvHeads * D;
  const need: [string, ArrayLike<number>, number][] = [["q", q, batch * sq * qStride], ["out", out, batch * sq * qStride], ["k", k, batch * sk * kvStride], ["v", v, batch * sk * kvStride], ["meta", meta, batch * 2]];
  for (const [name, a, n] of need) {
    if (a.length !== n) throw new RangeError(`attentionRef: ${name} has ${a.length} elements, expected ${n}`);
  }
  const group = nHeads / nKvHeads;
  const scale = 1 / Math.sqrt(D);
  const scores = new Float64Array(sk);
  const acc = new Float64Array(D);
  for (let b = 0; b < batch; b++) {
    const qStart = meta[2 * b]!;
    const kvLen = meta[2 * b + 1]!;
    if (kvLen > sk) throw new RangeError(`attentionRef: sequence ${b} has kvLen ${kvLen}, more than sk ${sk}`);
    for (let i = 0; i < sq; i++) {
      const pos = qStart + i;
      const row_bi = (b * sq + i) * qStride;
      for (let h = 0; h < nHeads; h++) {
        const q_bih = row_bi + h * D;
        if (pos >= kvLen) {
          out.fill(0, q_bih, q_bih + D);
          continue;
        }
        const kh = Math.floor(h / group);
        const jEnd = Math.min(pos + 1, kvLen);
        let max = -Infinity;
        for (let j = 0; j < jEnd; j++) {
          const k_bj = (b * sk + j) * kvStride + kh * D;
          let s = 0;
          for (let d = 0; d < D; d++) s += q[q_bih + d]! * k[k_bj + d]!;
          scores[j] = s * scale;
          if (scores[j]! > max) max = scores[j]!;
        }
        let sum = 0;
        acc.fill(0);
        for (let j = 0; j < jEnd; j++) {
          const p = Math.exp(scores[j]! - max);
          sum += p;
          const v_bj = (b * sk + j) * kvStride + kh * D;
          for (let d = 0; d < D; d++) acc[d] = acc[d]! + p * v[v_bj + d]!;
        }
        for (let d = 0; d < D; d++) out[q_bih + d] = acc[d]! / sum;
      }
    }
  }
}
