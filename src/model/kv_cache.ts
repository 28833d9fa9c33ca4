/**
 * Per-layer key/value cache for incremental decoding: for each layer, keys and values of B sequences
 * with room for maxLen positions each, rows b*maxLen + position.
 */
import type { GpuContext } from "../gpu/context.ts";
import type { Recorder } from "../gpu/recorder.ts";
import { createTensor, destroyTensor, singleChunk, type Tensor } from "../gpu/tensor.ts";
import type { ModelConfig } from "./config.ts";

/** Per-layer key and value caches on the GPU for `batch` sequences of up to `maxLen` tokens (generation). */
export class KvCache {
  readonly batch: number;
  readonly maxLen: number;
  readonly keys: Tensor<"f32">[]; // per layer (B*maxLen, KV*hd)
  readonly values: Tensor<"f32">[]; // per layer (B*maxLen, KV*hd)

  constructor(ctx: GpuContext, config: ModelConfig, batch: number, maxLen: number) {
    if (maxLen > config.maxSeqLen) throw new RangeError(`KV cache of ${maxLen} positions exceeds the model's context length ${config.maxSeqLen}`);
    this.batch = batch;
    this.maxLen = maxLen;
    const kvDim = config.nKvHeads * config.headDim;
    this.keys = [];
    this.values = [];
    for (let l = 0; l < config.nLayers; l++) {
      this.keys.push(createTensor(ctx, `kv.layers.${l}.k`, [batch * maxLen, kvDim], "f32", "activations"));
      this.values.push(createTensor(ctx, `kv.layers.${l}.v`, [batch * maxLen, kvDim], "f32", "activations"));
    }
  }

  /**
   * Records copying the new keys/values of `sq` slots per sequence (rows b*sq + i of k and v) into
   * positions qStart[b] + i of layer l's cache.
   */
  store(rec: Recorder, l: number, k: Tensor<"f32">, v: Tensor<"f32">, sq: number, qStart: readonly number[], lengths: readonly number[]): void {
    const rowBytes = k.rowElems * 4;
    const pairs: [Tensor<"f32">, Tensor<"f32">][] = [[k, this.keys[l]!], [v, this.values[l]!]];
    for (const [src, dst] of pairs) {
      const s = singleChunk(src, "KvCache.store");
      const d = singleChunk(dst, "KvCache.store");
      for (let b = 0; b < this.batch; b++) {
        const n = lengths[b]!;
        if (n === 0) continue;
        if (qStart[b]! + n > this.maxLen) throw new RangeError(`KV cache: sequence ${b} would reach position ${qStart[b]! + n}, past its ${this.maxLen} slots`);
        rec.copy(s.buffer, s.offset + b * sq * rowBytes, d.buffer, d.offset + (b * this.maxLen + qStart[b]!) * rowBytes, n * rowBytes);
      }
    }
  }

  destroy(ctx: GpuContext): void {
    for (const t of [...this.keys, ...this.values]) destroyTensor(ctx, t);
  }
}
