/**
 * The canonical tensor list of a model: names, shapes and order. A tensor's id is its index in this list;
 * the seeded perturbation and the masks key on it, so the order never changes for a given config.
 *
 *   tok_embeddings (V, D)
 *   per layer l: layers.l.attention_norm (D), layers.l.wq (H*hd, D), layers.l.wk (KV*hd, D),
 *     layers.l.wv (KV*hd, D), [layers.l.bq (H*hd), layers.l.bk (KV*hd), layers.l.bv (KV*hd) when attnBias],
 *     layers.l.wo (D, H*hd), layers.l.ffn_norm (D), layers.l.w1 (F, D) gate, layers.l.w2 (D, F) down,
 *     layers.l.w3 (F, D) up
 *   norm (D)
 *   output (V, D) unless tiedEmbeddings
 * Weights are (out, in) row-major.
 */
import type { ModelConfig } from "./config.ts";

/** "embedding": tok_embeddings and output; "matrix": other 2-D weights; "vector": norms and biases. */
export type ParamKind = "matrix" | "vector" | "embedding";

/** A tensor of the canonical layout: its id (the z generator's tensor id), name, shape and kind. */
export interface CanonicalTensor {
  readonly id: number;
  readonly name: string;
  readonly shape: readonly number[];
  readonly kind: ParamKind;
}

/** Every tensor of a model with config `c`, in canonical (tensor id) order. */
export function canonicalTensors(c: ModelConfig): CanonicalTensor[] {
  const D = c.dim, F = c.hiddenDim, V = c.vocabSize;
  const q = c.nHeads * c.headDim, kv = c.nKvHeads * c.headDim;
  const out: CanonicalTensor[] = [];
  const push = (name: string, shape: number[], kind: ParamKind): void => {
    out.push({ id: out.length, name, shape, kind });
  };
  push("tok_embeddings", [V, D], "embedding");
  for (let l = 0; l < c.nLayers; l++) {
    const p = `layers.${l}.`;
    push(p + "attention_norm", [D], "vector");
    push(p + "wq", [q, D], "matrix");
    push(p + "wk", [kv, D], "matrix");
    push(p + "wv", [kv, D], "matrix");
    if (c.attnBias) {
      push(p + "bq", [q], "vector");
      push(p + "bk", [kv], "vector");
      push(p + "bv", [kv], "vector");
    }
    push(p + "wo", [D, q], "matrix");
    push(p + "ffn_norm", [D], "vector");
    push(p + "w1", [F, D], "matrix");
    push(p + "w2", [D, F], "matrix");
    push(p + "w3", [F, D], "matrix");
  }
  push("norm", [D], "vector");
  if (!c.tiedEmbeddings) push("output", [V, D], "embedding");
  return out;
}
