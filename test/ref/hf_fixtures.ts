// Test fixtures for the loaders: random canonical weights and hand-built safetensors bytes.
import { canonicalTensors } from "../../src/model/canonical.ts";
import type { ModelConfig } from "../../src/model/config.ts";
import type { HostWeights } from "../../src/model/weights.ts";
import type { Rng } from "../harness/random.ts";

/** A tiny config; override fields as needed. */
export function tinyConfig(over: Partial<ModelConfig> = {}): ModelConfig {
  return {
    arch: "llama", dim: 16, hiddenDim: 24, nLayers: 2, nHeads: 4, nKvHeads: 2, headDim: 4, vocabSize: 37, maxSeqLen: 32,
    ropeTheta: 10000, normEps: 1e-5, ropeLayout: "half", tiedEmbeddings: false, attnBias: false, bosId: 1, eosId: 2, ...over,
  };
}

/** Random weights for `c`: norms near 1, matrices and biases with std `scale`. */
export function randomWeights(c: ModelConfig, rng: Rng, scale = 0.3): HostWeights {
  const tensors = canonicalTensors(c).map((t) => {
    const n = t.shape.reduce((a, b) => a * b, 1);
    const data = rng.normals(n, t.name.endsWith("norm") ? 0.1 : scale);
    if (t.name.endsWith("norm")) for (let i = 0; i < n; i++) data[i] = data[i]! + 1;
    return { name: t.name, shape: [...t.shape], data };
  });
  return { config: c, tensors };
}

/** A safetensors file from a raw header object and data section (for corrupt or non-F32 fixtures). */
export function rawSafetensors(header: unknown, data: Uint8Array = new Uint8Array(0), headerText?: string): Uint8Array {
  const json = new TextEncoder().encode(headerText ?? JSON.stringify(header));
  const out = new Uint8Array(8 + json.byteLength + data.byteLength);
  new DataView(out.buffer).setUint32(0, json.byteLength, true);
  out.set(json, 8);
  out.set(data, 8 + json.byteLength);
  return out;
}

/** Bytes of 16-bit values, little-endian. */
export function u16Bytes(values: readonly number[]): Uint8Array {
  return new Uint8Array(Uint16Array.from(values).buffer);
}
