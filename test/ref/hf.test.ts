// Hugging Face folders: config.json for llama/mistral/qwen2, unsharded and sharded safetensors, F16/BF16,
// name mapping, errors. Fixtures are written at test time into a temporary folder.
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { suite } from "uvu";
import * as assert from "uvu/assert";
import { writeFileAtomic } from "../../src/io/files.ts";
import { MazoFileError } from "../../src/io/errors.ts";
import { canonicalToHfName, hfToCanonicalName, MAX_JSON_BYTES, parseHfConfig } from "../../src/model/hf.ts";
import { loadModel, writeHfFolder } from "../../src/model/load.ts";
import { concatBytes, encodeSafetensors } from "../../src/model/safetensors.ts";
import type { HostWeights } from "../../src/model/weights.ts";
import { hfConfigJson } from "../../src/model/convert.ts";
import { rngFor } from "../harness/random.ts";
import { randomWeights, rawSafetensors, tinyConfig } from "./hf_fixtures.ts";

const root = mkdtempSync(join(tmpdir(), "mazo-hf-"));
let n = 0;
const freshDir = (): string => join(root, `m${n++}`);

function assertSameWeights(got: HostWeights, want: HostWeights): void {
  assert.equal(got.config, want.config);
  assert.equal(got.tensors.map((t) => t.name), want.tensors.map((t) => t.name));
  got.tensors.forEach((t, i) => {
    assert.equal(t.shape, want.tensors[i]!.shape, t.name);
    assert.equal(new Uint32Array(t.data.buffer, t.data.byteOffset, t.data.length), new Uint32Array(want.tensors[i]!.data.buffer, want.tensors[i]!.data.byteOffset, want.tensors[i]!.data.length), t.name);
  });
}

const LLAMA = {
  architectures: ["LlamaForCausalLM"], model_type: "llama", hidden_size: 2048, intermediate_size: 5632, num_hidden_layers: 22,
  num_attention_heads: 32, num_key_value_heads: 4, max_position_embeddings: 2048, rms_norm_eps: 1e-5, rope_theta: 10000,
  vocab_size: 32000, tie_word_embeddings: false, hidden_act: "silu", bos_token_id: 1, eos_token_id: 2, rope_scaling: null,
  attention_bias: false, torch_dtype: "bfloat16",
};
const MISTRAL = {
  architectures: ["MistralForCausalLM"], hidden_size: 4096, intermediate_size: 14336, num_hidden_layers: 32, num_attention_heads: 32,
  num_key_value_heads: 8, max_position_embeddings: 32768, rms_norm_eps: 1e-5, rope_theta: 1000000.0, sliding_window: null,
  vocab_size: 32768, tie_word_embeddings: false, head_dim: 128, bos_token_id: 1, eos_token_id: 2, hidden_act: "silu",
};
const QWEN2 = {
  architectures: ["Qwen2ForCausalLM"], hidden_size: 896, intermediate_size: 4864, num_hidden_layers: 24, num_attention_heads: 14,
  num_key_value_heads: 2, max_position_embeddings: 32768, max_window_layers: 21, rms_norm_eps: 1e-6, rope_theta: 1000000.0,
  sliding_window: 32768, use_sliding_window: false, tie_word_embeddings: true, vocab_size: 151936, bos_token_id: 151643,
  eos_token_id: 151645, hidden_act: "silu",
};

const c = suite("parseHfConfig()");

c("reads a TinyLlama-style LlamaForCausalLM config", () => {
  const g = parseHfConfig(LLAMA);
  assert.equal(g, {
    arch: "llama", dim: 2048, hiddenDim: 5632, nLayers: 22, nHeads: 32, nKvHeads: 4, headDim: 64, vocabSize: 32000, maxSeqLen: 2048,
    ropeTheta: 10000, normEps: 1e-5, ropeLayout: "half", tiedEmbeddings: false, attnBias: false, bosId: 1, eosId: 2,
  });
  assert.is(parseHfConfig({ ...LLAMA, attention_bias: true }).attnBias, true);
});

c("reads a Mistral config with an explicit head_dim and null sliding window", () => {
  const g = parseHfConfig(MISTRAL);
  assert.equal([g.arch, g.headDim, g.nKvHeads, g.ropeTheta, g.maxSeqLen, g.attnBias], ["mistral", 128, 8, 1e6, 32768, false]);
  assert.is(parseHfConfig({ ...MISTRAL, sliding_window: 4096 }).maxSeqLen, 4096);
});

c("reads a Qwen2 config: attention biases always, tied embeddings, eos list", () => {
  const g = parseHfConfig({ ...QWEN2, eos_token_id: [151645, 151643] });
  assert.equal([g.arch, g.headDim, g.attnBias, g.tiedEmbeddings, g.normEps, g.bosId, g.eosId, g.maxSeqLen], ["qwen2", 64, true, true, 1e-6, 151643, 151645, 32768]);
});

c("defaults: num_key_value_heads = heads, rope_theta 10000, model_type without architectures", () => {
  const { architectures: _a, num_key_value_heads: _k, rope_theta: _r, ...rest } = LLAMA;
  const g = parseHfConfig(rest);
  assert.equal([g.arch, g.nKvHeads, g.ropeTheta], ["llama", 32, 10000]);
});

c("an unknown architecture is an error listing the supported ones", () => {
  assert.throws(() => parseHfConfig({ ...LLAMA, architectures: ["GPT2LMHeadModel"] }), /unsupported model \(architectures \["GPT2LMHeadModel"\]\); supported: LlamaForCausalLM, MistralForCausalLM, Qwen2ForCausalLM/);
});

c("unsupported features and bad fields are errors naming the field", () => {
  assert.throws(() => parseHfConfig({ ...LLAMA, rope_scaling: { type: "llama3", factor: 8 } }), /rope_scaling .* is not supported/);
  assert.throws(() => parseHfConfig({ ...LLAMA, hidden_act: "gelu" }), /hidden_act "gelu" is not supported/);
  assert.throws(() => parseHfConfig({ ...LLAMA, hidden_size: "big" }), /hidden_size must be a positive integer, got "big"/);
  assert.throws(() => parseHfConfig({ ...LLAMA, num_key_value_heads: 5 }), /multiple of nKvHeads \(5\)/);
});

c("tensor names map both ways", () => {
  assert.is(hfToCanonicalName("model.layers.3.mlp.gate_proj.weight"), "layers.3.w1");
  assert.is(hfToCanonicalName("model.layers.0.self_attn.k_proj.bias"), "layers.0.bk");
  assert.is(hfToCanonicalName("model.layers.0.self_attn.rotary_emb.inv_freq"), "ignore");
  assert.is(hfToCanonicalName("transformer.h.0.attn.c_attn.weight"), null);
  assert.is(canonicalToHfName("layers.12.w2"), "model.layers.12.mlp.down_proj.weight");
  assert.is(canonicalToHfName("output"), "lm_head.weight");
});

c.run();

const f = suite("loadModel() on Hugging Face folders");

f("an unsharded F32 Llama folder loads bit-exactly, tokenizer.json reported", async () => {
  const w = randomWeights(tinyConfig(), rngFor("hf unsharded"));
  const dir = freshDir();
  writeHfFolder(dir, w);
  writeFileSync(join(dir, "tokenizer.json"), "{}");
  const m = await loadModel(dir);
  assert.is(m.format, "hf");
  assert.is(m.tokenizerPath, join(dir, "tokenizer.json"));
  assertSameWeights(m.weights, w);
  assertSameWeights((await loadModel(join(dir, "config.json"))).weights, w);
});

function writeSharded(dir: string, w: HostWeights, index?: (map: Record<string, string>) => void): void {
  const hf = w.tensors.map((t) => ({ ...t, name: canonicalToHfName(t.name) }));
  const half = Math.ceil(hf.length / 2);
  const shards = [hf.slice(0, half), hf.slice(half)];
  const map: Record<string, string> = {};
  shards.forEach((ts, i) => {
    const file = `model-0000${i + 1}-of-00002.safetensors`;
    writeFileAtomic(join(dir, file), encodeSafetensors(ts));
    for (const t of ts) map[t.name] = file;
  });
  index?.(map);
  writeFileAtomic(join(dir, "config.json"), [new TextEncoder().encode(JSON.stringify(hfConfigJson(w.config)))]);
  writeFileAtomic(join(dir, "model.safetensors.index.json"), [new TextEncoder().encode(JSON.stringify({ metadata: {}, weight_map: map }))]);
}

f("a sharded folder (index.json + two shards) loads bit-exactly", async () => {
  const w = randomWeights(tinyConfig({ nLayers: 3 }), rngFor("hf sharded"));
  const dir = freshDir();
  writeSharded(dir, w);
  assertSameWeights((await loadModel(dir)).weights, w);
});

f("a tensor listed in the index but missing from its shard is an error naming it", async () => {
  const w = randomWeights(tinyConfig(), rngFor("hf sharded missing"));
  const dir = freshDir();
  writeSharded(dir, w, (map) => {
    map["model.layers.0.self_attn.extra.weight"] = "model-00001-of-00002.safetensors";
  });
  try {
    await loadModel(dir);
    assert.unreachable("must throw");
  } catch (e) {
    assert.match((e as Error).message, /tensor "model.layers.0.self_attn.extra.weight" is listed in the index but missing/);
  }
});

f("a shard the index names but the folder lacks is an error naming the shard and a tensor in it (not a bare ENOENT)", async () => {
  const w = randomWeights(tinyConfig(), rngFor("hf shard missing"));
  const dir = freshDir();
  writeSharded(dir, w);
  rmSync(join(dir, "model-00002-of-00002.safetensors"));
  try {
    await loadModel(dir);
    assert.unreachable("must throw");
  } catch (e) {
    assert.instance(e, MazoFileError);
    assert.match((e as Error).message, /model-00002-of-00002.safetensors: missing: model.safetensors.index.json maps \d+ tensors \(such as "model\./);
  }
});

f("an oversized config.json is refused by its size, not read", async () => {
  const dir = freshDir();
  writeFileAtomic(join(dir, "config.json"), [new Uint8Array(MAX_JSON_BYTES + 1)]);
  await rejects(loadModel(dir), /config.json: size: 67108865 bytes, more than the 67108864 a JSON side file may have/);
});

async function rejects(p: Promise<unknown>, re: RegExp): Promise<void> {
  try {
    await p;
  } catch (e) {
    assert.match((e as Error).message, re);
    return;
  }
  assert.unreachable(`expected a rejection matching ${re}`);
}

f("missing tensors, wrong shapes and unknown tensors are errors naming the tensor", async () => {
  const cfg = tinyConfig();
  const w = randomWeights(cfg, rngFor("hf errors"));
  const hf = w.tensors.map((t) => ({ ...t, name: canonicalToHfName(t.name) }));
  const write = (tensors: typeof hf): string => {
    const dir = freshDir();
    writeFileAtomic(join(dir, "config.json"), [new TextEncoder().encode(JSON.stringify(hfConfigJson(cfg)))]);
    writeFileAtomic(join(dir, "model.safetensors"), encodeSafetensors(tensors));
    return dir;
  };
  await rejects(loadModel(write(hf.filter((t) => t.name !== "model.layers.1.mlp.up_proj.weight"))), /missing tensors model.layers.1.mlp.up_proj.weight/);
  await rejects(loadModel(write(hf.map((t) => t.name === "model.norm.weight" ? { ...t, shape: [2, 8] } : t))), /tensor "model.norm.weight" has shape \[2, 8\], config.json implies \[16\]/);
  await rejects(loadModel(write([...hf, { name: "model.layers.0.self_attn.o_proj.bias", shape: [16], data: new Float32Array(16) }])), /tensor "model.layers.0.self_attn.o_proj.bias" is not part of a llama model/);
  await rejects(loadModel(write([...hf, { name: "model.layers.0.self_attn.q_proj.bias", shape: [16], data: new Float32Array(16) }])), /"model.layers.0.self_attn.q_proj.bias" \(layers.0.bq\) is not expected for this config \(attnBias false/);
  const noWeights = freshDir();
  writeFileAtomic(join(noWeights, "config.json"), [new TextEncoder().encode(JSON.stringify(hfConfigJson(cfg)))]);
  await rejects(loadModel(noWeights), /no model.safetensors or model.safetensors.index.json/);
  await rejects(loadModel(root), /without config.json/);
});

f("a BF16 + F16 Qwen2 folder with biases and tied embeddings loads with exact widening", async () => {
  const cfg = tinyConfig({ arch: "qwen2", attnBias: true, tiedEmbeddings: true, nLayers: 1 });
  const w = randomWeights(cfg, rngFor("hf qwen2 bf16"));
  // Round every value to bf16 (truncate) so the widened f32 is known exactly; alternate dtypes per tensor.
  const header: Record<string, unknown> = {};
  const parts: Uint8Array[] = [];
  let at = 0;
  w.tensors.forEach((t, i) => {
    const bits = new Uint16Array(t.data.length);
    const dtype = i % 2 === 0 ? "BF16" : "F16";
    const u = new Uint32Array(t.data.buffer, t.data.byteOffset, t.data.length);
    for (let k = 0; k < t.data.length; k++) {
      if (dtype === "BF16") {
        bits[k] = u[k]! >>> 16;
        u[k] = bits[k]! << 16;
      } else {
        // A multiple of 2^-10 in (-2, 2) is exact in f16: encode it by hand.
        const v = Math.round(t.data[k]! * 1024) / 1024;
        const clamped = Math.max(-1.999, Math.min(1.999, v));
        t.data[k] = Math.round(clamped * 1024) / 1024;
        bits[k] = f16Bits(t.data[k]!);
      }
    }
    header[canonicalToHfName(t.name)] = { dtype, shape: t.shape, data_offsets: [at, at + bits.byteLength] };
    parts.push(new Uint8Array(bits.buffer));
    at += bits.byteLength;
  });
  const dir = freshDir();
  writeFileAtomic(join(dir, "config.json"), [new TextEncoder().encode(JSON.stringify({ ...QWEN2, hidden_size: 16, intermediate_size: 24, num_hidden_layers: 1, num_attention_heads: 4, num_key_value_heads: 2, vocab_size: 37, max_position_embeddings: 32, rms_norm_eps: 1e-5, rope_theta: 10000, bos_token_id: 1, eos_token_id: 2 }))]);
  writeFileAtomic(join(dir, "model.safetensors"), [rawSafetensors(header, concatBytes(parts))]);
  const m = await loadModel(join(dir, "model.safetensors"));
  assert.is(m.tokenizerPath, null);
  assertSameWeights(m.weights, w);
  assert.ok(m.weights.tensors.some((t) => t.name === "layers.0.bq"));
  assert.not.ok(m.weights.tensors.some((t) => t.name === "output"));
});

/** f16 bits of a value that is a multiple of 2^-10 with |v| < 2 (exact; subnormals included). */
function f16Bits(v: number): number {
  const sign = v < 0 || Object.is(v, -0) ? 0x8000 : 0;
  const a = Math.abs(v);
  if (a === 0) return sign;
  if (a < 2 ** -14) return sign | Math.round(a / 2 ** -24);
  const e = Math.floor(Math.log2(a));
  const m = Math.round((a / 2 ** e - 1) * 1024);
  return sign | ((e + 15) << 10) | m;
}

f.after(() => rmSync(root, { recursive: true, force: true }));
f.run();
