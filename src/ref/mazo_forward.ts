/**
 * The reference forward pass (same steps and numerics as src/ref/forward.ts's RefDecoder) with a tap on
 * the input of every linear projection, and the scoring of target tokens: what the MaZO reference path
 * needs for calibration statistics and losses. Plain loops, float64 accumulation, activations stored
 * as f32.
 *
 * Dimensions: V vocab, D dim, F FFN hidden, H heads, KV kv heads, hd head dim, T sequence length.
 */
import type { HostWeights } from "../model/weights.ts";
import type { ScoringSequence, SequenceScore } from "../tasks/encode.ts";
import { nllOf } from "./forward.ts";

/** Called with a projection's weight name ("layers.0.wq") and its input vector at one position. */
export type LinearTap = (weight: string, x: Float32Array) => void;

function matvec(out: Float32Array, w: Float32Array, x: Float32Array): void {
  const n = out.length, m = x.length;
  for (let i = 0; i < n; i++) {
    let s = 0;
    const row = i * m;
    for (let j = 0; j < m; j++) s += w[row + j]! * x[j]!;
    out[i] = s;
  }
}

function rmsnorm(out: Float32Array, x: Float32Array, weight: Float32Array, eps: number): void {
  let ss = 0;
  for (let i = 0; i < x.length; i++) ss += x[i]! * x[i]!;
  const inv = 1 / Math.sqrt(ss / x.length + eps);
  for (let i = 0; i < x.length; i++) out[i] = weight[i]! * (x[i]! * inv);
}

function rope(v: Float32Array, heads: number, hd: number, pos: number, theta: number, layout: "adjacent" | "half"): void {
  const half = hd / 2;
  for (let h = 0; h < heads; h++) {
    for (let j = 0; j < half; j++) {
      const angle = pos * Math.pow(theta, -(2 * j) / hd);
      const cos = Math.cos(angle), sin = Math.sin(angle);
      const a = h * hd + (layout === "adjacent" ? 2 * j : j);
      const b = layout === "adjacent" ? a + 1 : a + half;
      const v0 = v[a]!, v1 = v[b]!;
      v[a] = v0 * cos - v1 * sin;
      v[b] = v0 * sin + v1 * cos;
    }
  }
}

/** Logits (T, V) of every position of `tokens`; `tap` sees every linear projection's input. */
export function forwardTapRef(w: HostWeights, tokens: ArrayLike<number>, tap?: LinearTap): Float32Array {
  const c = w.config;
  const t = new Map(w.tensors.map((x) => [x.name, x.data]));
  const get = (name: string): Float32Array => {
    const d = t.get(name);
    if (d === undefined) throw new RangeError(`forwardTapRef: weights have no tensor "${name}"`);
    return d;
  };
  const D = c.dim, F = c.hiddenDim, H = c.nHeads, KV = c.nKvHeads, hd = c.headDim, V = c.vocabSize;
  const qDim = H * hd, kvDim = KV * hd, T = tokens.length;
  if (T > c.maxSeqLen) throw new RangeError(`forwardTapRef: ${T} tokens exceed maxSeqLen ${c.maxSeqLen}`);
  const kCache = Array.from({ length: c.nLayers }, () => new Float32Array(T * kvDim));
  const vCache = Array.from({ length: c.nLayers }, () => new Float32Array(T * kvDim));
  const out = new Float32Array(T * V);
  const xb = new Float32Array(D), q = new Float32Array(qDim), k = new Float32Array(kvDim), v = new Float32Array(kvDim);
  const att = new Float32Array(qDim), hb = new Float32Array(F), hb2 = new Float32Array(F), delta = new Float32Array(D);
  const scale = 1 / Math.sqrt(hd);
  const lin = (o: Float32Array, name: string, x: Float32Array): void => {
    matvec(o, get(name), x);
    tap?.(name, x);
  };
  for (let pos = 0; pos < T; pos++) {
    const token = tokens[pos]!;
    if (!Number.isInteger(token) || token < 0 || token >= V) throw new RangeError(`forwardTapRef: token ${token} at ${pos} is outside [0, ${V})`);
    const x = get("tok_embeddings").slice(token * D, (token + 1) * D);
    const scores = new Float64Array(pos + 1);
    for (let l = 0; l < c.nLayers; l++) {
      const p = `layers.${l}.`;
      rmsnorm(xb, x, get(p + "attention_norm"), c.normEps);
      lin(q, p + "wq", xb);
      lin(k, p + "wk", xb);
      lin(v, p + "wv", xb);
      if (c.attnBias) {
        for (const [dst, b] of [[q, "bq"], [k, "bk"], [v, "bv"]] as const) {
          const bias = get(p + b);
          for (let i = 0; i < dst.length; i++) dst[i] = dst[i]! + bias[i]!;
        }
      }
      rope(q, H, hd, pos, c.ropeTheta, c.ropeLayout);
      rope(k, KV, hd, pos, c.ropeTheta, c.ropeLayout);
      const kc = kCache[l]!, vc = vCache[l]!;
      kc.set(k, pos * kvDim);
      vc.set(v, pos * kvDim);
      for (let h = 0; h < H; h++) {
        const kvh = Math.floor(h / (H / KV));
        let max = -Infinity;
        for (let s = 0; s <= pos; s++) {
          let d = 0;
          for (let i = 0; i < hd; i++) d += q[h * hd + i]! * kc[s * kvDim + kvh * hd + i]!;
          scores[s] = d * scale;
          if (scores[s]! > max) max = scores[s]!;
        }
        let sum = 0;
        for (let s = 0; s <= pos; s++) sum += scores[s] = Math.exp(scores[s]! - max);
        for (let i = 0; i < hd; i++) {
          let acc = 0;
          for (let s = 0; s <= pos; s++) acc += (scores[s]! / sum) * vc[s * kvDim + kvh * hd + i]!;
          att[h * hd + i] = acc;
        }
      }
      lin(delta, p + "wo", att);
      for (let i = 0; i < D; i++) x[i] = x[i]! + delta[i]!;
      rmsnorm(xb, x, get(p + "ffn_norm"), c.normEps);
      lin(hb, p + "w1", xb);
      lin(hb2, p + "w3", xb);
      for (let i = 0; i < F; i++) {
        const g = hb[i]!;
        hb[i] = (g / (1 + Math.exp(-g))) * hb2[i]!;
      }
      lin(delta, p + "w2", hb);
      for (let i = 0; i < D; i++) x[i] = x[i]! + delta[i]!;
    }
    rmsnorm(xb, x, get("norm"), c.normEps);
    const logits = out.subarray(pos * V, (pos + 1) * V);
    matvec(logits, get(c.tiedEmbeddings ? "tok_embeddings" : "output"), xb);
  }
  return out;
}

/** Summed and mean log-probability of each sequence's targets (what LlamaModel.score returns). */
export function scoreRef(w: HostWeights, seqs: readonly ScoringSequence[], tap?: LinearTap): SequenceScore[] {
  const V = w.config.vocabSize;
  return seqs.map((s) => {
    const logits = forwardTapRef(w, s.tokens, tap);
    let sum = 0, count = 0;
    for (let t = 0; t < s.tokens.length; t++) {
      const tg = s.targets[t]!;
      if (tg < 0) continue;
      sum -= nllOf(logits.subarray(t * V, (t + 1) * V), tg);
      count++;
    }
    return { sum, count, mean: count > 0 ? sum / count : NaN };
  });
}
