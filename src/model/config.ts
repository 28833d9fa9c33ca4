/**
 * The model configuration shared by every loader, the reference forward and the GPU forward.
 *
 * Dimension letters used across src/model and src/ref/forward*.ts:
 *   V vocab size, D model dim, F FFN hidden dim, L layers, H query heads, KV key/value heads,
 *   hd head dim, T sequence length.
 */

/**
 * Which elements of a head form a RoPE rotation pair: llama2.c rotates adjacent pairs (2i, 2i+1)
 * ("adjacent"); Hugging Face `rotate_half` pairs (i, i + hd/2) ("half").
 */
export type RopeLayout = "adjacent" | "half";

/** Supported architectures (all Llama-shaped: RMSNorm, RoPE, GQA attention, SwiGLU FFN). */
export type Arch = "llama" | "mistral" | "qwen2";

/** The shape of a Llama-family model (dimensions, heads, vocabulary, context, RoPE and norm settings, special ids). */
export interface ModelConfig {
  arch: Arch;
  /** D */
  dim: number;
  /** F */
  hiddenDim: number;
  /** L */
  nLayers: number;
  /** H */
  nHeads: number;
  /** KV (divides H) */
  nKvHeads: number;
  /** hd (even) */
  headDim: number;
  /** V */
  vocabSize: number;
  /** Longest sequence the model supports (positions 0 .. maxSeqLen-1). */
  maxSeqLen: number;
  /** RoPE base: freq_i = ropeTheta^(-2i/hd). */
  ropeTheta: number;
  /** RMSNorm epsilon, added to mean(x^2). */
  normEps: number;
  ropeLayout: RopeLayout;
  /** True when the classifier is the token embedding (no "output" tensor). */
  tiedEmbeddings: boolean;
  /** True when q, k, v projections carry biases (bq, bk, bv). */
  attnBias: boolean;
  bosId: number;
  eosId: number;
}

function positiveInt(source: string, name: string, v: number): void {
  if (!Number.isInteger(v) || v <= 0) throw new RangeError(`${source}: ${name} must be a positive integer, got ${v}`);
}

/**
 * Upper bounds far above any real model (Llama 3.1 405B: 126 layers, dim 16384, hidden 53248, vocab
 * 128256; contexts up to 2^20), so a corrupt config is refused before anything is sized from it.
 */
export const CONFIG_LIMITS: Readonly<Record<"dim" | "hiddenDim" | "nLayers" | "nHeads" | "nKvHeads" | "headDim" | "vocabSize" | "maxSeqLen", number>> = {
  dim: 1 << 17, hiddenDim: 1 << 19, nLayers: 1 << 12, nHeads: 1 << 12, nKvHeads: 1 << 12, headDim: 1 << 12, vocabSize: 1 << 22, maxSeqLen: 1 << 24,
};

/** Throws a RangeError naming `source` (a file) and the first inconsistent field of `c`; returns `c` otherwise. */
export function validateConfig(c: ModelConfig, source = "model config"): ModelConfig {
  for (const k of ["dim", "hiddenDim", "nLayers", "nHeads", "nKvHeads", "headDim", "vocabSize", "maxSeqLen"] as const) {
    positiveInt(source, k, c[k]);
    if (c[k] > CONFIG_LIMITS[k]) throw new RangeError(`${source}: ${k} = ${c[k]} is beyond any real model (at most ${CONFIG_LIMITS[k]})`);
  }
  if (c.nHeads % c.nKvHeads !== 0) throw new RangeError(`${source}: nHeads (${c.nHeads}) must be a multiple of nKvHeads (${c.nKvHeads})`);
  if (c.headDim % 2 !== 0) throw new RangeError(`${source}: headDim must be even for RoPE, got ${c.headDim}`);
  if (!(c.ropeTheta > 0)) throw new RangeError(`${source}: ropeTheta must be positive, got ${c.ropeTheta}`);
  if (!(c.normEps > 0)) throw new RangeError(`${source}: normEps must be positive, got ${c.normEps}`);
  if (c.ropeLayout !== "adjacent" && c.ropeLayout !== "half") throw new RangeError(`${source}: ropeLayout must be "adjacent" or "half", got ${String(c.ropeLayout)}`);
  for (const k of ["bosId", "eosId"] as const) {
    if (!Number.isInteger(c[k]) || c[k] < 0 || c[k] >= c.vocabSize) throw new RangeError(`${source}: ${k} must be an integer in [0, ${c.vocabSize}), got ${c[k]}`);
  }
  return c;
}
