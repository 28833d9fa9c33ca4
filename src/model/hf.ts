/**
 * Hugging Face model folders: config.json (LlamaForCausalLM, MistralForCausalLM, Qwen2ForCausalLM) and
 * model.safetensors or a sharded model.safetensors.index.json. Browser-friendly: files are read through
 * a `FileSource`; src/model/load.ts provides one over the file system.
 */
import { MazoFileError, MazoFormatError } from "../io/errors.ts";
import { type Arch, type ModelConfig, validateConfig } from "./config.ts";
import { type CanonicalTensor, canonicalTensors } from "./canonical.ts";
import type { WeightDtype } from "./half.ts";
import type { TensorValues } from "./param_store.ts";
import { decodeSafetensor, parseSafetensorsHeader, safetensorsPrefixBytes, type SafetensorsEntry, safetensorValues } from "./safetensors.ts";
import type { HostWeights } from "./weights.ts";

/** Read access to the files of one folder, by file name. */
export interface FileSource {
  /** A label for error messages (e.g. the folder path). */
  readonly label: string;
  exists(name: string): Promise<boolean>;
  size(name: string): Promise<number>;
  /** Bytes [offset, offset + length) of the file. */
  read(name: string, offset: number, length: number): Promise<Uint8Array>;
}

const ARCHES: Readonly<Record<string, Arch>> = {
  LlamaForCausalLM: "llama",
  MistralForCausalLM: "mistral",
  Qwen2ForCausalLM: "qwen2",
};
const MODEL_TYPES: Readonly<Record<string, Arch>> = { llama: "llama", mistral: "mistral", qwen2: "qwen2" };

/** Parses config.json into a ModelConfig (ropeLayout "half"). Unknown architectures throw, listing the supported ones. */
export function parseHfConfig(json: unknown, source = "config.json"): ModelConfig {
  if (json === null || typeof json !== "object" || Array.isArray(json)) throw new TypeError(`${source}: must be a JSON object`);
  const j = json as Record<string, unknown>;
  const archs = Array.isArray(j.architectures) ? j.architectures.map(String) : [];
  let arch: Arch | undefined;
  for (const a of archs) arch ??= ARCHES[a];
  if (arch === undefined && archs.length === 0 && typeof j.model_type === "string") arch = MODEL_TYPES[j.model_type];
  if (arch === undefined) {
    const got = archs.length > 0 ? `architectures ${JSON.stringify(archs)}` : `model_type ${JSON.stringify(j.model_type)}`;
    throw new TypeError(`${source}: unsupported model (${got}); supported: ${Object.keys(ARCHES).join(", ")}`);
  }
  const int = (key: string, fallback?: number): number => {
    const v = j[key] ?? fallback;
    if (typeof v !== "number" || !Number.isInteger(v) || v <= 0) throw new TypeError(`${source}: ${key} must be a positive integer, got ${JSON.stringify(j[key])}`);
    return v;
  };
  const num = (key: string, fallback: number): number => {
    const v = j[key] ?? fallback;
    if (typeof v !== "number" || !(v > 0)) throw new TypeError(`${source}: ${key} must be a positive number, got ${JSON.stringify(j[key])}`);
    return v;
  };
  const act = j.hidden_act ?? "silu";
  if (act !== "silu") throw new TypeError(`${source}: hidden_act ${JSON.stringify(act)} is not supported (only "silu")`);
  if (j.rope_scaling !== undefined && j.rope_scaling !== null) {
    throw new TypeError(`${source}: rope_scaling ${JSON.stringify(j.rope_scaling)} is not supported`);
  }
  if (j.mlp_bias === true) throw new TypeError(`${source}: mlp_bias is not supported`);
  const dim = int("hidden_size");
  const nHeads = int("num_attention_heads");
  const firstId = (key: string, fallback: number): number => {
    const v = j[key];
    const x = Array.isArray(v) ? v[0] : v;
    return typeof x === "number" && Number.isInteger(x) && x >= 0 ? x : fallback;
  };
  let maxSeqLen = int("max_position_embeddings", 2048);
  // Sliding-window attention equals full attention up to the window: cap the usable length there.
  const sliding = j.sliding_window;
  const slidingOn = arch === "mistral" || (arch === "qwen2" && j.use_sliding_window === true);
  if (slidingOn && typeof sliding === "number" && sliding > 0) maxSeqLen = Math.min(maxSeqLen, sliding);
  const headDim = j.head_dim === undefined || j.head_dim === null ? dim / nHeads : int("head_dim");
  if (!Number.isInteger(headDim)) throw new TypeError(`${source}: hidden_size ${dim} is not a multiple of num_attention_heads ${nHeads} and head_dim is not given`);
  return validateConfig({
    arch,
    dim,
    hiddenDim: int("intermediate_size"),
    nLayers: int("num_hidden_layers"),
    nHeads,
    nKvHeads: int("num_key_value_heads", nHeads),
    headDim,
    vocabSize: int("vocab_size"),
    maxSeqLen,
    ropeTheta: num("rope_theta", 10000),
    normEps: num("rms_norm_eps", 1e-6),
    ropeLayout: "half",
    tiedEmbeddings: j.tie_word_embeddings === true,
    attnBias: arch === "qwen2" ? true : arch === "llama" ? j.attention_bias === true : false,
    bosId: firstId("bos_token_id", 1),
    eosId: firstId("eos_token_id", 2),
  }, source);
}

const LAYER_NAMES: Readonly<Record<string, string>> = {
  "input_layernorm.weight": "attention_norm",
  "self_attn.q_proj.weight": "wq",
  "self_attn.k_proj.weight": "wk",
  "self_attn.v_proj.weight": "wv",
  "self_attn.q_proj.bias": "bq",
  "self_attn.k_proj.bias": "bk",
  "self_attn.v_proj.bias": "bv",
  "self_attn.o_proj.weight": "wo",
  "post_attention_layernorm.weight": "ffn_norm",
  "mlp.gate_proj.weight": "w1",
  "mlp.down_proj.weight": "w2",
  "mlp.up_proj.weight": "w3",
};
const TOP_NAMES: Readonly<Record<string, string>> = {
  "model.embed_tokens.weight": "tok_embeddings",
  "model.norm.weight": "norm",
  "lm_head.weight": "output",
};

/** The canonical name of a Hugging Face tensor name, "ignore" for buffers we recompute, null if unknown. */
export function hfToCanonicalName(hf: string): string | null {
  const top = TOP_NAMES[hf];
  if (top !== undefined) return top;
  const m = /^model\.layers\.(\d+)\.(.+)$/.exec(hf);
  if (m === null) return null;
  if (m[2] === "self_attn.rotary_emb.inv_freq") return "ignore";
  const local = LAYER_NAMES[m[2]!];
  return local === undefined ? null : `layers.${Number(m[1])}.${local}`;
}

/** The Hugging Face name of a canonical tensor name (inverse of hfToCanonicalName). */
export function canonicalToHfName(name: string): string {
  for (const [hf, c] of Object.entries(TOP_NAMES)) if (c === name) return hf;
  const m = /^layers\.(\d+)\.(.+)$/.exec(name);
  if (m !== null) for (const [hf, c] of Object.entries(LAYER_NAMES)) if (c === m[2]) return `model.layers.${m[1]}.${hf}`;
  throw new RangeError(`canonicalToHfName: "${name}" is not a canonical tensor name`);
}

/** The largest JSON side file (config.json, the shard index) read whole: real ones are a few KB to a few MB. */
export const MAX_JSON_BYTES = 64 << 20;

async function readJson(src: FileSource, name: string): Promise<unknown> {
  const n = await src.size(name);
  if (n > MAX_JSON_BYTES) throw new MazoFormatError(`${src.label}/${name}`, "size", `${n} bytes, more than the ${MAX_JSON_BYTES} a JSON side file may have; not read`);
  const text = new TextDecoder().decode(await src.read(name, 0, n));
  try {
    return JSON.parse(text);
  } catch (e) {
    throw new TypeError(`${src.label}/${name}: not valid JSON (${(e as Error).message})`);
  }
}

/** The safetensors files of the folder and, for sharded models, which tensors each should hold. */
async function shardsOf(src: FileSource): Promise<Map<string, Set<string> | null>> {
  const index = "model.safetensors.index.json";
  if (await src.exists(index)) {
    const j = await readJson(src, index);
    const map = (j as { weight_map?: unknown } | null)?.weight_map;
    if (map === null || typeof map !== "object" || Array.isArray(map)) throw new TypeError(`${src.label}/${index}: weight_map must be an object`);
    const shards = new Map<string, Set<string> | null>();
    for (const [tensor, file] of Object.entries(map as Record<string, unknown>)) {
      if (typeof file !== "string" || file.includes("/") || file.includes("\\") || file.startsWith(".")) {
        throw new TypeError(`${src.label}/${index}: tensor "${tensor}" maps to ${JSON.stringify(file)}, not a file name in the folder`);
      }
      let set = shards.get(file);
      if (!set) shards.set(file, set = new Set());
      set.add(tensor);
    }
    return shards;
  }
  if (await src.exists("model.safetensors")) return new Map([["model.safetensors", null]]);
  throw new RangeError(`${src.label}: no model.safetensors or model.safetensors.index.json`);
}

/** Where one canonical tensor lies in a folder's safetensors files. */
export interface HfTensorLocation {
  readonly spec: CanonicalTensor;
  readonly file: string;
  readonly entry: SafetensorsEntry;
}

/** A Hugging Face folder's config and tensor locations, from config.json and the headers only. */
export interface HfFolderPlan {
  readonly config: ModelConfig;
  /** In canonical (tensor id) order. */
  readonly tensors: readonly HfTensorLocation[];
  /** The dtype most weight bytes of the matrices and embeddings are stored in. */
  readonly storedDtype: WeightDtype;
  /** Bytes of the largest tensor as stored. */
  readonly largestTensorBytes: number;
}

/**
 * Reads config.json and every safetensors header of the folder and checks names and shapes, before any
 * tensor data is read.
 */
export async function planHfFolder(src: FileSource): Promise<HfFolderPlan> {
  if (!(await src.exists("config.json"))) throw new RangeError(`${src.label}: no config.json`);
  const config = parseHfConfig(await readJson(src, "config.json"), `${src.label}/config.json`);
  const specs = canonicalTensors(config);
  const want = new Map(specs.map((s) => [s.name, s]));
  const got = new Map<string, HfTensorLocation>();
  for (const [file, expected] of await shardsOf(src)) {
    const where = `${src.label}/${file}`;
    if (expected !== null && !(await src.exists(file))) {
      const first = [...expected][0] ?? "";
      throw new MazoFileError(where, `missing: model.safetensors.index.json maps ${expected.size} tensor${expected.size === 1 ? "" : "s"} (such as "${first}") to this shard, and the folder has no such file`, "ENOENT");
    }
    const size = await src.size(file);
    const prefixBytes = safetensorsPrefixBytes(await src.read(file, 0, Math.min(8, size)), size, where);
    const header = parseSafetensorsHeader(await src.read(file, 0, prefixBytes), size, where);
    const present = new Set(header.entries.map((e) => e.name));
    for (const name of expected ?? []) {
      if (!present.has(name)) throw new RangeError(`${where}: tensor "${name}" is listed in the index but missing from the file`);
    }
    for (const e of header.entries) {
      const name = hfToCanonicalName(e.name);
      if (name === "ignore" || (name === "output" && config.tiedEmbeddings)) continue;
      if (name === null) throw new RangeError(`${where}: tensor "${e.name}" is not part of a ${config.arch} model mazo supports`);
      const spec = want.get(name);
      if (spec === undefined) throw new RangeError(`${where}: tensor "${e.name}" (${name}) is not expected for this config (attnBias ${config.attnBias}, tiedEmbeddings ${config.tiedEmbeddings}, ${config.nLayers} layers)`);
      if (spec.shape.length !== e.shape.length || spec.shape.some((d, i) => d !== e.shape[i])) {
        throw new RangeError(`${where}: tensor "${e.name}" has shape [${e.shape.join(", ")}], config.json implies [${spec.shape.join(", ")}]`);
      }
      if (got.has(name)) throw new RangeError(`${where}: tensor "${e.name}" appears twice`);
      got.set(name, { spec, file, entry: e });
    }
  }
  const missing = specs.filter((s) => !got.has(s.name)).map((s) => canonicalToHfName(s.name));
  if (missing.length > 0) throw new RangeError(`${src.label}: missing tensors ${missing.slice(0, 8).join(", ")}${missing.length > 8 ? ` and ${missing.length - 8} more` : ""}`);
  const tensors = specs.map((s) => got.get(s.name)!);
  const bytesBy: Record<string, number> = {};
  let largest = 0;
  for (const t of tensors) {
    const b = t.entry.end - t.entry.begin;
    largest = Math.max(largest, b);
    if (t.spec.kind !== "vector") bytesBy[t.entry.dtype] = (bytesBy[t.entry.dtype] ?? 0) + b;
  }
  const top = Object.entries(bytesBy).sort((a, b) => b[1] - a[1])[0]?.[0] ?? "F32";
  const storedDtype: WeightDtype = top === "F16" ? "f16" : top === "BF16" ? "bf16" : "f32";
  return { config, tensors, storedDtype, largestTensorBytes: largest };
}

/** One tensor's values as stored (f32, or raw half bits): reads exactly its bytes. */
export async function readHfTensor(src: FileSource, t: HfTensorLocation): Promise<TensorValues> {
  return safetensorValues(t.entry, await src.read(t.file, t.entry.begin, t.entry.end - t.entry.begin));
}

/** Loads a Hugging Face folder into canonical host weights (f32, ropeLayout "half"). */
export async function loadHfWeights(src: FileSource): Promise<HostWeights> {
  const plan = await planHfFolder(src);
  const tensors = [];
  for (const t of plan.tensors) {
    tensors.push({ name: t.spec.name, shape: [...t.spec.shape], data: decodeSafetensor(t.entry, await src.read(t.file, t.entry.begin, t.entry.end - t.entry.begin)) });
  }
  return { config: plan.config, tensors };
}
