/**
 * llama2.c legacy "v0" checkpoints: a header of 7 int32 (dim, hidden_dim, n_layers, n_heads, n_kv_heads,
 * vocab_size, seq_len; a negative vocab_size means an unshared classifier), then little-endian f32
 * tensors, each stacked over layers:
 *   token_embedding (V, D), rms_att (L, D), wq (L, H*hd, D), wk (L, KV*hd, D), wv (L, KV*hd, D),
 *   wo (L, D, H*hd), rms_ffn (L, D), w1 (L, F, D), w2 (L, D, F), w3 (L, F, D), rms_final (D),
 *   freq_cis_real (T, hd/2), freq_cis_imag (T, hd/2) (skipped), wcls (V, D) when unshared.
 * with hd = D / H. Browser-friendly: parses bytes, no file access.
 */
import { canonicalTensors } from "./canonical.ts";
import { type ModelConfig, validateConfig } from "./config.ts";
import type { HostTensor, HostWeights } from "./weights.ts";

const HEADER_BYTES = 28;
/** The "ak42" magic of llama2.c's versioned exports (export.py version 1 and 2), which we do not read. */
const VERSIONED_MAGIC = 0x616b3432;

/** The config in a llama2.c header, and the exact file size it implies. */
export interface Llama2cHeader {
  readonly config: ModelConfig;
  readonly sharedClassifier: boolean;
  readonly expectedBytes: number;
}

/** Parses and validates the 28-byte header (needs at least its bytes). */
export function parseLlama2cHeader(bytes: Uint8Array): Llama2cHeader {
  if (bytes.byteLength < HEADER_BYTES) throw new RangeError(`llama2.c checkpoint: ${bytes.byteLength} bytes, shorter than the ${HEADER_BYTES}-byte header`);
  const dv = new DataView(bytes.buffer, bytes.byteOffset, HEADER_BYTES);
  if (dv.getUint32(0, true) === VERSIONED_MAGIC) {
    throw new RangeError(`llama2.c checkpoint: versioned export (magic "ak42", version ${dv.getInt32(4, true)}); only the legacy v0 format is supported`);
  }
  const h = Array.from({ length: 7 }, (_, i) => dv.getInt32(4 * i, true));
  const [dim, hiddenDim, nLayers, nHeads, nKvHeads, vocabRaw, seqLen] = h as [number, number, number, number, number, number, number];
  const names = ["dim", "hidden_dim", "n_layers", "n_heads", "n_kv_heads", "|vocab_size|", "seq_len"];
  [dim, hiddenDim, nLayers, nHeads, nKvHeads, Math.abs(vocabRaw), seqLen].forEach((v, i) => {
    if (v <= 0 || v > 1 << 24) throw new RangeError(`llama2.c checkpoint: header ${names[i]} = ${v} is not a plausible size (header ${h.join(", ")})`);
  });
  if (dim % nHeads !== 0) throw new RangeError(`llama2.c checkpoint: header: dim ${dim} is not a multiple of n_heads ${nHeads}`);
  const config = validateConfig({
    arch: "llama",
    dim,
    hiddenDim,
    nLayers,
    nHeads,
    nKvHeads,
    headDim: dim / nHeads,
    vocabSize: Math.abs(vocabRaw),
    maxSeqLen: seqLen,
    ropeTheta: 10000,
    normEps: 1e-5,
    ropeLayout: "adjacent",
    tiedEmbeddings: vocabRaw > 0,
    attnBias: false,
    bosId: 1,
    eosId: 2,
  }, "llama2.c checkpoint: header");
  // The size in closed form, never by listing tensors: a header claiming 2^24 layers must be refused at
  // once, not after enumerating 150M tensor records.
  const D = dim, F = hiddenDim, V = config.vocabSize, hd = config.headDim;
  const q = nHeads * hd, kv = nKvHeads * hd;
  const perLayer = 2 * D + 2 * q * D + 2 * kv * D + 3 * F * D; // norms, wq wo, wk wv, w1 w2 w3
  const floats = V * D + nLayers * perLayer + D + seqLen * hd + (vocabRaw > 0 ? 0 : V * D);
  const expectedBytes = HEADER_BYTES + 4 * floats;
  if (!Number.isSafeInteger(expectedBytes)) {
    throw new RangeError(`llama2.c checkpoint: the header (${h.join(", ")}) implies about ${expectedBytes.toExponential(2)} bytes, beyond any file this loader reads (2^53)`);
  }
  return { config, sharedClassifier: vocabRaw > 0, expectedBytes };
}

/** Reads a whole llama2.c v0 checkpoint into canonical host weights (ropeLayout "adjacent"). */
export function parseLlama2c(bytes: Uint8Array): HostWeights {
  const { config: c, expectedBytes } = parseLlama2cHeader(bytes);
  if (bytes.byteLength !== expectedBytes) {
    throw new RangeError(
      `llama2.c checkpoint: ${bytes.byteLength} bytes, but the header (dim ${c.dim}, hidden_dim ${c.hiddenDim}, n_layers ${c.nLayers}, n_heads ${c.nHeads}, n_kv_heads ${c.nKvHeads}, vocab ${c.vocabSize}${c.tiedEmbeddings ? " shared" : " unshared"}, seq_len ${c.maxSeqLen}) implies ${expectedBytes}`,
    );
  }
  const dv = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  let pos = HEADER_BYTES;
  /** The next n floats of the file. */
  const take = (n: number): Float32Array => {
    const out = new Float32Array(n);
    if ((bytes.byteOffset + pos) % 4 === 0) out.set(new Float32Array(bytes.buffer, bytes.byteOffset + pos, n));
    else for (let i = 0; i < n; i++) out[i] = dv.getFloat32(pos + 4 * i, true);
    pos += 4 * n;
    return out;
  };
  const D = c.dim, F = c.hiddenDim, L = c.nLayers, hd = c.headDim;
  const q = c.nHeads * hd, kv = c.nKvHeads * hd;
  const byName = new Map<string, Float32Array>();
  byName.set("tok_embeddings", take(c.vocabSize * D));
  const stacked = (suffix: string, per: number): void => {
    for (let l = 0; l < L; l++) byName.set(`layers.${l}.${suffix}`, take(per));
  };
  stacked("attention_norm", D);
  stacked("wq", q * D);
  stacked("wk", kv * D);
  stacked("wv", kv * D);
  stacked("wo", D * q);
  stacked("ffn_norm", D);
  stacked("w1", F * D);
  stacked("w2", D * F);
  stacked("w3", F * D);
  byName.set("norm", take(D));
  pos += 4 * c.maxSeqLen * hd; // freq_cis_real, freq_cis_imag: RoPE tables, recomputed instead
  if (!c.tiedEmbeddings) byName.set("output", take(c.vocabSize * D));
  const tensors: HostTensor[] = canonicalTensors(c).map((t) => ({ name: t.name, shape: [...t.shape], data: byName.get(t.name)! }));
  return { config: c, tensors };
}

/**
 * Encodes canonical weights (ropeLayout "adjacent", no biases) as a llama2.c v0 checkpoint, with the RoPE
 * tables run.c's export writes (freq_cis_real/imag, (T, hd/2), angle t * theta^(-2i/hd)).
 */
export function encodeLlama2c(w: HostWeights): Uint8Array {
  const c = w.config;
  if (c.ropeLayout !== "adjacent") throw new RangeError(`encodeLlama2c: llama2.c checkpoints use the "adjacent" RoPE layout, these weights use "${c.ropeLayout}"`);
  if (c.attnBias) throw new RangeError("encodeLlama2c: llama2.c checkpoints have no attention biases");
  if (c.headDim * c.nHeads !== c.dim) throw new RangeError(`encodeLlama2c: llama2.c needs headDim * nHeads = dim, got ${c.headDim} * ${c.nHeads} != ${c.dim}`);
  const byName = new Map(w.tensors.map((t) => [t.name, t.data]));
  const header = [c.dim, c.hiddenDim, c.nLayers, c.nHeads, c.nKvHeads, c.tiedEmbeddings ? c.vocabSize : -c.vocabSize, c.maxSeqLen];
  const parts: Float32Array[] = [];
  const add = (name: string): void => {
    const t = byName.get(name);
    if (t === undefined) throw new RangeError(`encodeLlama2c: weights have no tensor "${name}"`);
    parts.push(t);
  };
  add("tok_embeddings");
  for (const s of ["attention_norm", "wq", "wk", "wv", "wo", "ffn_norm", "w1", "w2", "w3"]) {
    for (let l = 0; l < c.nLayers; l++) add(`layers.${l}.${s}`);
  }
  add("norm");
  const half = c.headDim / 2;
  const re = new Float32Array(c.maxSeqLen * half), im = new Float32Array(c.maxSeqLen * half);
  for (let t = 0; t < c.maxSeqLen; t++) {
    for (let i = 0; i < half; i++) {
      const a = t * Math.pow(c.ropeTheta, -(2 * i) / c.headDim);
      re[t * half + i] = Math.cos(a);
      im[t * half + i] = Math.sin(a);
    }
  }
  parts.push(re, im);
  if (!c.tiedEmbeddings) add("output");
  const floats = parts.reduce((a, p) => a + p.length, 0);
  const out = new Uint8Array(HEADER_BYTES + 4 * floats);
  const dv = new DataView(out.buffer);
  header.forEach((v, i) => dv.setInt32(4 * i, v, true));
  let at = HEADER_BYTES;
  for (const p of parts) {
    out.set(new Uint8Array(p.buffer, p.byteOffset, p.byteLength), at);
    at += p.byteLength;
  }
  return out;
}
