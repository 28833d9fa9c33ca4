/** Autoregressive generation with a KV cache: prefill the prompt once, then one token per step. */
import type { LlamaModel } from "./forward.ts";
import { KvCache } from "./kv_cache.ts";
import { argmax, sampleTemperature, XorShiftStar } from "./sampler.ts";

/** Options of {@link generate}: length, sampling and stop tokens, and a per-token callback. */
export interface GenerateOptions {
  /** Tokens to generate at most. */
  readonly maxTokens: number;
  /** 0 = greedy. */
  readonly temperature?: number;
  readonly seed?: number;
  /** Token ids that end generation (not emitted); default BOS and EOS, as run.c stops at BOS. */
  readonly stopIds?: readonly number[];
  /** Called with each generated token as soon as it is known. */
  readonly onToken?: (id: number) => void;
}

/** Generates a continuation of `prompt` (token ids, BOS included by the caller). */
export async function generate(model: LlamaModel, prompt: readonly number[], o: GenerateOptions): Promise<number[]> {
  const cfg = model.config;
  if (prompt.length === 0) throw new RangeError("generate: the prompt needs at least one token (BOS)");
  const maxLen = Math.min(cfg.maxSeqLen, prompt.length + o.maxTokens);
  if (prompt.length >= cfg.maxSeqLen) throw new RangeError(`generate: a prompt of ${prompt.length} tokens leaves no room in the context of ${cfg.maxSeqLen}`);
  const cache = new KvCache(model.ctx, cfg, 1, maxLen);
  const stop = new Set(o.stopIds ?? [cfg.bosId, cfg.eosId]);
  const rng = new XorShiftStar(o.seed ?? Date.now());
  const temperature = o.temperature ?? 0;
  const out: number[] = [];
  try {
    let logits = (await model.decode(cache, [[...prompt]], [0]))[0]!;
    let pos = prompt.length;
    while (out.length < o.maxTokens) {
      const next = temperature === 0 ? argmax(logits) : sampleTemperature(logits, temperature, rng);
      if (stop.has(next)) break;
      out.push(next);
      o.onToken?.(next);
      // The token just chosen is fed at position `pos`; stop when it would not fit the cache.
      if (out.length === o.maxTokens || pos >= maxLen) break;
      logits = (await model.decode(cache, [[next]], [pos]))[0]!;
      pos++;
    }
  } finally {
    cache.destroy(model.ctx);
  }
  return out;
}
