/**
 * The Llama-family forward pass on the GPU: embedding, n_layers x (RMSNorm, QKV projections with
 * optional biases, RoPE, causal GQA attention, output projection accumulated into the residual,
 * RMSNorm, SwiGLU FFN accumulated into the residual), final RMSNorm, LM head in row blocks, and the
 * log-probability of each target token. Whole logits are read back only on request.
 *
 * Letters: B batch, S slots (padded length), D dim, V vocab; rows are b*S + t.
 */
import type { GpuContext } from "../gpu/context.ts";
import { Recorder } from "../gpu/recorder.ts";
import { readTensor, singleChunk, type Tensor, viewRows, writeTensor } from "../gpu/tensor.ts";
import { attention } from "../kernels/attention.ts";
import { biasAdd } from "../kernels/bias_add.ts";
import { embedding } from "../kernels/embedding.ts";
import { logSoftmaxGather } from "../kernels/logsoftmax_gather.ts";
import { matmul, type WeightTensor } from "../kernels/matmul.ts";
import { rmsnorm } from "../kernels/rmsnorm.ts";
import { rope } from "../kernels/rope.ts";
import { swiglu } from "../kernels/swiglu.ts";
import { Activations } from "./activations.ts";
import type { ModelConfig } from "./config.ts";
import type { KvCache } from "./kv_cache.ts";
import type { ParamStore } from "./param_store.ts";

/** Something that adds a low-rank (or other) update to a linear layer's output: y += delta(x). */
export interface LinearAdapter {
  record(ctx: GpuContext, rec: Recorder, x: Tensor<"f32">, y: Tensor<"f32">): void;
}

/** One sequence to score: its tokens and, per position, the token to score there (-1: none). */
export interface ScoreSequence {
  readonly tokens: ArrayLike<number>;
  /** Same length as tokens; targets[t] is scored from the logits at position t. */
  readonly targets: ArrayLike<number>;
}

/** Per-sequence log-probabilities of the targets and their sums. */
export interface ScoreResult {
  /** logp[b][t] = log p(targets[t] | tokens[..t]) or 0 where there is no target. */
  readonly logp: readonly Float32Array[];
  readonly sum: Float64Array;
  readonly count: Int32Array;
  /** sum / count (NaN where count is 0). */
  readonly mean: Float64Array;
}

/** How many activation shapes to keep allocated (least recently used is freed beyond this). */
const KEEP_SHAPES = 3;

/**
 * A Llama-family model on the GPU: the forward pass over a ParamStore (batched scoring for training and
 * evaluation, KV-cache decoding for generation), with optional linear adapters (LoRA) per projection.
 */
export class LlamaModel {
  readonly ctx: GpuContext;
  readonly store: ParamStore;
  readonly config: ModelConfig;
  /** Adapters by weight name (e.g. "layers.0.wq"), applied after that projection. */
  readonly adapters: Map<string, LinearAdapter> = new Map<string, LinearAdapter>();
  readonly #acts = new Map<string, Activations>();

  constructor(ctx: GpuContext, store: ParamStore) {
    this.ctx = ctx;
    this.store = store;
    this.config = store.config;
  }

  /** The activations for (batch, slots), allocated on first use and reused afterwards. */
  activations(batch: number, slots: number): Activations {
    const key = `${batch}x${slots}`;
    let a = this.#acts.get(key);
    if (a !== undefined) {
      this.#acts.delete(key);
      this.#acts.set(key, a);
      return a;
    }
    // Free the least recently used shapes first, so a new shape never briefly coexists with them.
    while (this.#acts.size >= KEEP_SHAPES) {
      const [oldKey, old] = this.#acts.entries().next().value as [string, Activations];
      old.destroy(this.ctx);
      this.#acts.delete(oldKey);
    }
    a = new Activations(this.ctx, this.config, batch, slots);
    this.#acts.set(key, a);
    return a;
  }

  /** Frees every activation buffer (weights stay). */
  releaseActivations(): void {
    for (const a of this.#acts.values()) a.destroy(this.ctx);
    this.#acts.clear();
  }

  /** Validates token ids and lengths and pads them into (B, S) host arrays. */
  #pack(seqs: readonly ScoreSequence[], slots: number): { tokens: Uint32Array; targets: Int32Array; positions: Uint32Array; meta: Uint32Array } {
    const V = this.config.vocabSize;
    const B = seqs.length;
    const tokens = new Uint32Array(B * slots);
    const targets = new Int32Array(B * slots).fill(-1);
    const positions = new Uint32Array(B * slots);
    const meta = new Uint32Array(B * 2);
    seqs.forEach((s, b) => {
      if (s.targets.length !== s.tokens.length) {
        throw new RangeError(`sequence ${b}: ${s.tokens.length} tokens but ${s.targets.length} targets; they must match`);
      }
      for (let t = 0; t < s.tokens.length; t++) {
        const id = s.tokens[t]!;
        if (!Number.isInteger(id) || id < 0 || id >= V) throw new RangeError(`sequence ${b} position ${t}: token id ${id} is outside [0, ${V})`);
        const tg = s.targets[t]!;
        if (!Number.isInteger(tg) || tg < -1 || tg >= V) throw new RangeError(`sequence ${b} position ${t}: target ${tg} is outside [-1, ${V})`);
        tokens[b * slots + t] = id;
        targets[b * slots + t] = tg;
      }
      for (let t = 0; t < slots; t++) positions[b * slots + t] = t;
      meta[2 * b] = 0;
      meta[2 * b + 1] = s.tokens.length;
    });
    return { tokens, targets, positions, meta };
  }

  /** Slots for a batch: the longest sequence, checked against the model's context length. */
  #slotsFor(seqs: readonly ScoreSequence[]): number {
    if (seqs.length === 0) throw new RangeError("score: the batch is empty");
    let slots = 0;
    seqs.forEach((s, b) => {
      if (s.tokens.length === 0) throw new RangeError(`sequence ${b} is empty; every sequence needs at least one token`);
      slots = Math.max(slots, s.tokens.length);
    });
    if (slots > this.config.maxSeqLen) throw new RangeError(`a sequence of ${slots} tokens exceeds the model's context length ${this.config.maxSeqLen}`);
    return slots;
  }

  /**
   * Records the transformer up to the final norm (a.xb holds its output). Without a cache the keys of
   * the batch itself are attended; with one, the new keys/values are stored at `decode.qStart` and the
   * cache is attended.
   */
  #recordTrunk(rec: Recorder, a: Activations, decode?: { cache: KvCache; qStart: readonly number[]; lengths: readonly number[] }): void {
    const { ctx, config: c, store } = this;
    const ropeOpts = (nHeads: number) => ({ nHeads, headDim: c.headDim, theta: c.ropeTheta, layout: c.ropeLayout });
    const sk = decode === undefined ? a.slots : decode.cache.maxLen;
    const shape = { batch: a.batch, sq: a.slots, sk, nHeads: c.nHeads, nKvHeads: c.nKvHeads, headDim: c.headDim };
    embedding(ctx, rec, store.weight("tok_embeddings"), a.tokens, a.x);
    for (let l = 0; l < c.nLayers; l++) {
      const p = `layers.${l}.`;
      rmsnorm(ctx, rec, a.x, store.get(p + "attention_norm"), a.xb, c.normEps);
      this.#linear(rec, a.xb, p + "wq", a.q);
      this.#linear(rec, a.xb, p + "wk", a.k);
      this.#linear(rec, a.xb, p + "wv", a.v);
      if (c.attnBias) {
        biasAdd(ctx, rec, a.q, store.get(p + "bq"));
        biasAdd(ctx, rec, a.k, store.get(p + "bk"));
        biasAdd(ctx, rec, a.v, store.get(p + "bv"));
      }
      rope(ctx, rec, a.q, a.positions, ropeOpts(c.nHeads));
      rope(ctx, rec, a.k, a.positions, ropeOpts(c.nKvHeads));
      if (decode === undefined) {
        attention(ctx, rec, a.q, a.k, a.v, a.att, a.meta, shape);
      } else {
        decode.cache.store(rec, l, a.k, a.v, a.slots, decode.qStart, decode.lengths);
        attention(ctx, rec, a.q, decode.cache.keys[l]!, decode.cache.values[l]!, a.att, a.meta, shape);
      }
      this.#linear(rec, a.att, p + "wo", a.x, true);
      rmsnorm(ctx, rec, a.x, store.get(p + "ffn_norm"), a.xb, c.normEps);
      this.#linear(rec, a.xb, p + "w1", a.h1);
      this.#linear(rec, a.xb, p + "w3", a.h3);
      swiglu(ctx, rec, a.h1, a.h3);
      this.#linear(rec, a.h1, p + "w2", a.x, true);
    }
    rmsnorm(ctx, rec, a.x, store.get("norm"), a.xb, c.normEps);
  }

  /** y = x Wᵀ (or y += x Wᵀ), plus the adapter of that weight if one is attached. */
  #linear(rec: Recorder, x: Tensor<"f32">, name: string, y: Tensor<"f32">, accumulate = false): void {
    matmul(this.ctx, rec, x, this.store.weight(name), y, { accumulate });
    this.adapters.get(name)?.record(this.ctx, rec, x, y);
  }

  /** The LM-head weight: the output matrix, or the embedding when they are tied. */
  #head(): WeightTensor {
    return this.store.weight(this.config.tiedEmbeddings ? "tok_embeddings" : "output");
  }

  /**
   * Records the LM head for rows `rows` of a.xb (any rows, at most a.blockRows): copies them into
   * a.xBlock and computes their logits into a.logits rows [0, rows.length).
   */
  #recordHeadRows(rec: Recorder, a: Activations, rows: readonly number[]): Tensor<"f32"> {
    const rowBytes = this.config.dim * 4;
    const src = singleChunk(a.xb, "LM head");
    const dst = singleChunk(a.xBlock, "LM head");
    // Copy runs of consecutive rows with one copy each.
    for (let i = 0; i < rows.length;) {
      let j = i + 1;
      while (j < rows.length && rows[j] === rows[j - 1]! + 1) j++;
      rec.copy(src.buffer, src.offset + rows[i]! * rowBytes, dst.buffer, dst.offset + i * rowBytes, (j - i) * rowBytes);
      i = j;
    }
    const logits = viewRows(a.logits, 0, rows.length);
    matmul(this.ctx, rec, viewRows(a.xBlock, 0, rows.length), this.#head(), logits);
    return logits;
  }

  /** Records LM head + log-softmax gather over all rows into a.logp, one block of rows at a time. */
  #recordHead(rec: Recorder, a: Activations): void {
    const n = a.batch * a.slots;
    const tSrc = singleChunk(a.targets, "LM head");
    const tDst = singleChunk(a.tBlock, "LM head");
    const lSrc = singleChunk(a.lpBlock, "LM head");
    const lDst = singleChunk(a.logp, "LM head");
    for (let r0 = 0; r0 < n; r0 += a.blockRows) {
      const rows = Math.min(a.blockRows, n - r0);
      const logits = this.#recordHeadRows(rec, a, Array.from({ length: rows }, (_, i) => r0 + i));
      rec.copy(tSrc.buffer, tSrc.offset + r0 * 4, tDst.buffer, tDst.offset, rows * 4);
      logSoftmaxGather(this.ctx, rec, logits, viewRows(a.tBlock, 0, rows), viewRows(a.lpBlock, 0, rows));
      rec.copy(lSrc.buffer, lSrc.offset, lDst.buffer, lDst.offset + r0 * 4, rows * 4);
    }
  }

  #upload(seqs: readonly ScoreSequence[]): Activations {
    const slots = this.#slotsFor(seqs);
    const a = this.activations(seqs.length, slots);
    const h = this.#pack(seqs, slots);
    writeTensor(this.ctx, a.tokens, h.tokens);
    writeTensor(this.ctx, a.targets, h.targets);
    writeTensor(this.ctx, a.positions, h.positions);
    writeTensor(this.ctx, a.meta, h.meta);
    return a;
  }

  /** Log-probabilities of each sequence's targets (one forward pass; reads back B*S floats). */
  async score(seqs: readonly ScoreSequence[]): Promise<ScoreResult> {
    const a = this.#upload(seqs);
    const rec = new Recorder(this.ctx, "forward.score");
    this.#recordTrunk(rec, a);
    this.#recordHead(rec, a);
    rec.submit();
    const all = await readTensor(this.ctx, a.logp);
    const B = seqs.length;
    const logp: Float32Array[] = [];
    const sum = new Float64Array(B);
    const count = new Int32Array(B);
    const mean = new Float64Array(B);
    seqs.forEach((s, b) => {
      const row = all.slice(b * a.slots, b * a.slots + s.tokens.length);
      logp.push(row);
      for (let t = 0; t < s.tokens.length; t++) {
        if (s.targets[t]! >= 0) {
          sum[b] = sum[b]! + row[t]!;
          count[b] = count[b]! + 1;
        }
      }
      mean[b] = count[b]! > 0 ? sum[b]! / count[b]! : NaN;
    });
    return { logp, sum, count, mean };
  }

  /**
   * Decoding step with a KV cache: feeds `tokens[b]` (new tokens of sequence b, all the same count)
   * at positions qStart[b].., stores their keys/values, and returns the logits (V) at each sequence's
   * last new token.
   */
  async decode(cache: KvCache, tokens: readonly (readonly number[])[], qStart: readonly number[]): Promise<Float32Array[]> {
    const B = tokens.length;
    if (B !== cache.batch || qStart.length !== B) throw new RangeError(`decode: ${B} sequences and ${qStart.length} start positions for a cache of batch ${cache.batch}`);
    const slots = tokens[0]!.length;
    const V = this.config.vocabSize;
    const hostTokens = new Uint32Array(B * slots);
    const positions = new Uint32Array(B * slots);
    const meta = new Uint32Array(B * 2);
    tokens.forEach((seq, b) => {
      if (seq.length !== slots) throw new RangeError(`decode: sequence ${b} has ${seq.length} new tokens, sequence 0 has ${slots}; they must match`);
      seq.forEach((id, i) => {
        if (!Number.isInteger(id) || id < 0 || id >= V) throw new RangeError(`decode: sequence ${b} token ${i} id ${id} is outside [0, ${V})`);
        hostTokens[b * slots + i] = id;
        positions[b * slots + i] = qStart[b]! + i;
      });
      meta[2 * b] = qStart[b]!;
      meta[2 * b + 1] = qStart[b]! + slots;
    });
    const a = this.activations(B, slots);
    writeTensor(this.ctx, a.tokens, hostTokens);
    writeTensor(this.ctx, a.positions, positions);
    writeTensor(this.ctx, a.meta, meta);
    const rec = new Recorder(this.ctx, "forward.decode");
    this.#recordTrunk(rec, a, { cache, qStart, lengths: tokens.map(() => slots) });
    // LM head over each sequence's last new row only.
    const out: Float32Array[] = [];
    const lastRows = tokens.map((_, b) => b * slots + slots - 1);
    for (let i0 = 0; i0 < B; i0 += a.blockRows) {
      const rows = lastRows.slice(i0, i0 + a.blockRows);
      const logits = this.#recordHeadRows(rec, a, rows);
      rec.submit();
      const host = await readTensor(this.ctx, logits);
      rows.forEach((_, i) => out.push(host.slice(i * V, (i + 1) * V)));
    }
    return out;
  }

  /** Full logits (len, V) of every sequence (reads back everything: for tests and debugging). */
  async logits(seqs: readonly ArrayLike<number>[]): Promise<Float32Array[]> {
    const req = seqs.map((tokens) => ({ tokens, targets: new Int32Array(tokens.length).fill(-1) }));
    const a = this.#upload(req);
    const rec = new Recorder(this.ctx, "forward.logits");
    this.#recordTrunk(rec, a);
    const n = a.batch * a.slots;
    const V = this.config.vocabSize;
    const all = new Float32Array(n * V);
    for (let r0 = 0; r0 < n; r0 += a.blockRows) {
      const rows = Math.min(a.blockRows, n - r0);
      const logits = this.#recordHeadRows(rec, a, Array.from({ length: rows }, (_, i) => r0 + i));
      rec.submit();
      all.set(await readTensor(this.ctx, logits), r0 * V);
    }
    return seqs.map((s, b) => all.slice(b * a.slots * V, (b * a.slots + s.length) * V));
  }
}

