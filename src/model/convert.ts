/**
 * Conversion of canonical weights to a Hugging Face Llama folder (config.json + model.safetensors, F32).
 * Pure functions over bytes; src/model/load.ts writes them to disk.
 *
 * RoPE layouts: llama2.c rotates adjacent pairs (2i, 2i+1) of each head; Hugging Face's rotate_half
 * rotates (i, i + hd/2). Rotating q and k is layout-independent once their rows are permuted the same
 * way, so converting permutes the rows of wq and wk (and bq, bk) within each head:
 *   half row (i + s*hd/2)  <-  adjacent row (2i + s),  s in {0, 1}, i in [0, hd/2)
 * which is what Hugging Face's convert_llama_weights_to_hf `permute` does.
 */
import type { ModelConfig, RopeLayout } from "./config.ts";
import { canonicalToHfName } from "./hf.ts";
import { encodeSafetensors } from "./safetensors.ts";
import { checkHostWeights, type HostTensor, type HostWeights } from "./weights.ts";

/**
 * Permutes the rows of a (heads*hd, cols) matrix (cols = 1 for a bias) head by head between the two
 * RoPE layouts. `to` is the layout of the result.
 */
export function permuteRopeRows(data: Float32Array, heads: number, hd: number, cols: number, to: RopeLayout): Float32Array {
  if (data.length !== heads * hd * cols) throw new RangeError(`permuteRopeRows: ${data.length} values, expected heads*hd*cols = ${heads}*${hd}*${cols}`);
  if (hd % 2 !== 0) throw new RangeError(`permuteRopeRows: head dim must be even, got ${hd}`);
  const out = new Float32Array(data.length);
  const half = hd / 2;
  for (let h = 0; h < heads; h++) {
    for (let i = 0; i < half; i++) {
      for (let s = 0; s < 2; s++) {
        const adj = h * hd + 2 * i + s, hf = h * hd + i + s * half;
        const [dst, src] = to === "half" ? [hf, adj] : [adj, hf];
        out.set(data.subarray(src * cols, (src + 1) * cols), dst * cols);
      }
    }
  }
  return out;
}

/** Weights `w` re-expressed in RoPE layout `to` (wq, wk, bq, bk permuted; the rest shared, not copied). */
export function withRopeLayout(w: HostWeights, to: RopeLayout): HostWeights {
  const c = w.config;
  if (c.ropeLayout === to) return w;
  const tensors = w.tensors.map((t): HostTensor => {
    const m = /^layers\.\d+\.(wq|wk|bq|bk)$/.exec(t.name);
    if (m === null) return t;
    const heads = m[1] === "wq" || m[1] === "bq" ? c.nHeads : c.nKvHeads;
    return { name: t.name, shape: [...t.shape], data: permuteRopeRows(t.data, heads, c.headDim, t.shape[1] ?? 1, to) };
  });
  return { config: { ...c, ropeLayout: to }, tensors };
}

/** The config.json of a Hugging Face folder for `c` (architecture named after c.arch). */
export function hfConfigJson(c: ModelConfig): Record<string, unknown> {
  const arch = { llama: "LlamaForCausalLM", mistral: "MistralForCausalLM", qwen2: "Qwen2ForCausalLM" }[c.arch];
  if (c.arch === "qwen2" && !c.attnBias) throw new RangeError("hfConfigJson: a qwen2 model always has attention biases");
  if (c.arch === "mistral" && c.attnBias) throw new RangeError("hfConfigJson: a mistral model has no attention biases");
  return {
    architectures: [arch],
    model_type: c.arch,
    hidden_size: c.dim,
    intermediate_size: c.hiddenDim,
    num_hidden_layers: c.nLayers,
    num_attention_heads: c.nHeads,
    num_key_value_heads: c.nKvHeads,
    head_dim: c.headDim,
    vocab_size: c.vocabSize,
    max_position_embeddings: c.maxSeqLen,
    rms_norm_eps: c.normEps,
    rope_theta: c.ropeTheta,
    rope_scaling: null,
    tie_word_embeddings: c.tiedEmbeddings,
    ...(c.arch === "llama" ? { attention_bias: c.attnBias, mlp_bias: false } : {}),
    ...(c.arch === "mistral" ? { sliding_window: null } : {}),
    ...(c.arch === "qwen2" ? { use_sliding_window: false } : {}),
    hidden_act: "silu",
    bos_token_id: c.bosId,
    eos_token_id: c.eosId,
    torch_dtype: "float32",
  };
}

/** The files of a Hugging Face folder holding `w`: config.json and model.safetensors (F32), as byte parts. */
export function encodeHfFolder(w: HostWeights): Map<string, Uint8Array[]> {
  checkHostWeights(w);
  const hf = withRopeLayout(w, "half");
  const tensors = hf.tensors.map((t) => ({ name: canonicalToHfName(t.name), shape: t.shape, data: t.data }));
  const configText = JSON.stringify(hfConfigJson(hf.config), null, 2) + "\n";
  return new Map([
    ["config.json", [new TextEncoder().encode(configText)]],
    ["model.safetensors", encodeSafetensors(tensors, { format: "pt" })],
  ]);
}
