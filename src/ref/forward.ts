/**
 * CPU reference forward pass of a Llama-family model, following llama2.c run.c step by step: RMSNorm,
 * q/k/v projections (+ biases), RoPE in either layout, grouped-query causal attention over a KV cache,
 * output projection, residual, RMSNorm, SwiGLU FFN, residual; final RMSNorm and classifier. Plain loops,
 * self-contained (no kernel references), float64 accumulation; every activation is stored as f32, as
 * the GPU stores it.
 *
 * Dimensions: V vocab, D dim, F FFN hidden, H heads, KV kv heads, hd head dim, T sequence length.
 */
import type { RopeLayout } from "../model/config.ts";
import type { HostWeights } from "../model/weights.ts";

/** Called with a projection's weight name ("layers.0.wq") and its input vector at one position. */
export type LinearTap = (weight: string, x: Float32Array) => void;

/**
 * One decoding stream with its KV cache: feed tokens one position at a time. `tap`, when given, sees
 * the input of every linear projection (wq, wk, wv, wo, w1, w3, w2 of each layer; not the classifier).
 */
export class RefDecoder {
  readonly #w: HostWeights;
  readonly #tap: LinearTap | undefined;
  readonly #t: Map<string, Float32Array>;
  /** Per layer (maxSeqLen, KV*hd). */
  readonly #kCache: Float32Array[];
  readonly #vCache: Float32Array[];
  #pos = 0;

  constructor(w: HostWeights, tap?: LinearTap) {
    this.#w = w;
    this.#tap = tap;
    this.#t = new Map(w.tensors.map((t) => [t.name, t.data]));
    const c = w.config;
    const kvDim = c.nKvHeads * c.headDim;
    this.#kCache = Array.from({ length: c.nLayers }, () => new Float32Array(c.maxSeqLen * kvDim));
    this.#vCache = Array.from({ length: c.nLayers }, () => new Float32Array(c.maxSeqLen * kvDim));
  }

  /** Position the next token goes to. */
  get pos(): number {
    return this.#pos;
  }

  #get(name: string): Float32Array {
    const t = this.#t.get(name);
    if (t === undefined) throw new RangeError(`forwardRef: weights have no tensor "${name}"`);
    return t;
  }

  /** out = W(name) @ x, reported to the tap. */
  #linear(out: Float32Array, name: string, x: Float32Array): void {
    matvec(out, this.#get(name), x);
    this.#tap?.(name, x);
  }

  /** Feeds `token` at the next position and returns the logits (V) predicting the token after it. */
  step(token: number): Float32Array {
    const c = this.#w.config;
    const D = c.dim, F = c.hiddenDim, H = c.nHeads, KV = c.nKvHeads, hd = c.headDim, V = c.vocabSize;
    const qDim = H * hd, kvDim = KV * hd;
    const pos = this.#pos;
    if (pos >= c.maxSeqLen) throw new RangeError(`forwardRef: position ${pos} is past maxSeqLen ${c.maxSeqLen}`);
    if (!Number.isInteger(token) || token < 0 || token >= V) throw new RangeError(`forwardRef: token ${token} is outside [0, ${V})`);
    const x = this.#get("tok_embeddings").slice(token * D, (token + 1) * D); // (D)
    const xb = new Float32Array(D);
    const q = new Float32Array(qDim), k = new Float32Array(kvDim), v = new Float32Array(kvDim);
    const att = new Float32Array(qDim);
    const hb = new Float32Array(F), hb2 = new Float32Array(F);
    const delta = new Float32Array(D);
    const scores = new Float64Array(pos + 1);
    const scale = 1 / Math.sqrt(hd);
    for (let l = 0; l < c.nLayers; l++) {
      const p = `layers.${l}.`;
      rmsnorm(xb, x, this.#get(p + "attention_norm"), c.normEps);
      this.#linear(q, p + "wq", xb);
      this.#linear(k, p + "wk", xb);
      this.#linear(v, p + "wv", xb);
      if (c.attnBias) {
        addInto(q, this.#get(p + "bq"));
        addInto(k, this.#get(p + "bk"));
        addInto(v, this.#get(p + "bv"));
      }
      rope(q, H, hd, pos, c.ropeTheta, c.ropeLayout);
      rope(k, KV, hd, pos, c.ropeTheta, c.ropeLayout);
      const kc = this.#kCache[l]!, vc = this.#vCache[l]!;
      kc.set(k, pos * kvDim);
      vc.set(v, pos * kvDim);
      for (let h = 0; h < H; h++) {
        const kvh = Math.floor(h / (H / KV)); // query head h reads kv head h / (H/KV)
        let max = -Infinity;
        for (let t = 0; t <= pos; t++) {
          let s = 0;
          for (let i = 0; i < hd; i++) s += q[h * hd + i]! * kc[t * kvDim + kvh * hd + i]!;
          scores[t] = s * scale;
          if (scores[t]! > max) max = scores[t]!;
        }
        let sum = 0;
        for (let t = 0; t <= pos; t++) sum += scores[t] = Math.exp(scores[t]! - max);
        for (let i = 0; i < hd; i++) {
          let acc = 0;
          for (let t = 0; t <= pos; t++) acc += (scores[t]! / sum) * vc[t * kvDim + kvh * hd + i]!;
          att[h * hd + i] = acc;
        }
      }
      this.#linear(delta, p + "wo", att);
      addInto(x, delta);
      rmsnorm(xb, x, this.#get(p + "ffn_norm"), c.normEps);
      this.#linear(hb, p + "w1", xb);
      this.#linear(hb2, p + "w3", xb);
      for (let i = 0; i < F; i++) {
        const g = hb[i]!;
        hb[i] = (g / (1 + Math.exp(-g))) * hb2[i]!; // silu(gate) * up
      }
      this.#linear(delta, p + "w2", hb);
      addInto(x, delta);
    }
    rmsnorm(xb, x, this.#get("norm"), c.normEps);
    const logits = new Float32Array(V);
    matvec(logits, this.#get(c.tiedEmbeddings ? "tok_embeddings" : "output"), xb);
    this.#pos++;
    return logits;
  }
}

/** out (n) = W (n, m) @ x (m), float64 accumulation. */
function matvec(out: Float32Array, w: Float32Array, x: Float32Array): void {
  const n = out.length, m = x.length;
  if (w.length !== n * m) throw new RangeError(`forwardRef: matrix of ${w.length} values does not map ${m} inputs to ${n} outputs`);
  for (let i = 0; i < n; i++) {
    let s = 0;
    const row = i * m;
    for (let j = 0; j < m; j++) s += w[row + j]! * x[j]!;
    out[i] = s;
  }
}

function addInto(x: Float32Array, y: Float32Array): void {
  for (let i = 0; i < x.length; i++) x[i] = x[i]! + y[i]!;
}

/** out = weight * x / sqrt(mean(x^2) + eps). */
function rmsnorm(out: Float32Array, x: Float32Array, weight: Float32Array, eps: number): void {
  let ss = 0;
  for (let i = 0; i < x.length; i++) ss += x[i]! * x[i]!;
  const inv = 1 / Math.sqrt(ss / x.length + eps);
  for (let i = 0; i < x.length; i++) out[i] = weight[i]! * (x[i]! * inv);
}

/**
 * Rotates each head of `v` (heads*hd) at position `pos`: pair j (j < hd/2) with frequency
 * theta^(-2j/hd) is elements (2j, 2j+1) in the "adjacent" layout and (j, j + hd/2) in the "half" layout.
 */
function rope(v: Float32Array, heads: number, hd: number, pos: number, theta: number, layout: RopeLayout): void {
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

/**
 * Logits (T, V) for every position of `tokens`, row t predicting tokens[t+1]; `tap` sees every linear
 * projection's input (see RefDecoder).
 */
export function forwardRef(w: HostWeights, tokens: ArrayLike<number>, tap?: LinearTap): Float32Array {
  const V = w.config.vocabSize;
  const out = new Float32Array(tokens.length * V);
  const dec = new RefDecoder(w, tap);
  for (let t = 0; t < tokens.length; t++) out.set(dec.step(tokens[t]!), t * V);
  return out;
}

/** -log softmax(logits)[target], in float64. */
export function nllOf(logits: Float32Array, target: number): number {
  let max = -Infinity;
  for (const z of logits) if (z > max) max = z;
  let sum = 0;
  for (const z of logits) sum += Math.exp(z - max);
  return Math.log(sum) + max - logits[target]!;
}

/** Mean negative log-likelihood (nats) of tokens[1..] given their prefixes. */
export function nllRef(w: HostWeights, tokens: readonly number[]): number {
  if (tokens.length < 2) throw new RangeError(`nllRef: needs at least 2 tokens, got ${tokens.length}`);
  const dec = new RefDecoder(w);
  let total = 0;
  for (let t = 0; t + 1 < tokens.length; t++) total += nllOf(dec.step(tokens[t]!), tokens[t + 1]!);
  return total / (tokens.length - 1);
}

/** Index of the largest logit (the first one on ties, as run.c's argmax). */
export function argmax(logits: Float32Array): number {
  let best = 0;
  for (let i = 1; i < logits.length; i++) if (logits[i]! > logits[best]!) best = i;
  return best;
}

/**
 * Greedy decoding as run.c with temperature 0: feeds `prompt` (default [BOS]), then generates until
 * `n` tokens were produced or BOS is produced (run.c stops there; BOS is not returned). Returns the
 * generated ids only.
 */
export function greedyRef(w: HostWeights, n: number, prompt: readonly number[] = [w.config.bosId]): number[] {
  if (prompt.length === 0) throw new RangeError("greedyRef: the prompt needs at least one token (BOS)");
  const dec = new RefDecoder(w);
  let logits: Float32Array = new Float32Array(0);
  for (const t of prompt) logits = dec.step(t);
  const out: number[] = [];
  while (out.length < n) {
    const next = argmax(logits);
    if (next === w.config.bosId) break;
    out.push(next);
    if (out.length === n || dec.pos >= w.config.maxSeqLen) break;
    logits = dec.step(next);
  }
  return out;
}
