/**
 * loadModel: a model's weights on the host from wherever they are, on every runtime: a llama2.c .bin
 * checkpoint or a Hugging Face folder (config.json + safetensors, sharded or not), given as a path (Deno,
 * Node), a URL (fetch; folders read with Range requests), the checkpoint's bytes, or a FileSource.
 * The result is what `fineTune`, `evaluate` and `replay` take as their model.
 */
import type { FetchFn } from "../browser/fetch_source.ts";
import type { ModelConfig } from "../model/config.ts";
import { type FileSource, loadHfWeights } from "../model/hf.ts";
import { parseLlama2c } from "../model/llama2c.ts";
import type { HostWeights } from "../model/weights.ts";
import type { ModelSource } from "../train/options.ts";
import { baseName, folderSourceOf, isFolder, type Location, parentOf, readLocationBytes, resolveLocation } from "./location.ts";

/** Where a model is: a path or URL of a .bin checkpoint or a Hugging Face folder, a .bin's bytes, or a folder's FileSource. */
export type ModelInput = Location | Uint8Array | FileSource;

/** A model loaded on the host: its weights (f32) and a name; pass it as `fineTune({ model })`. */
export interface HostModel extends ModelSource {
  /** Every tensor as f32, in mazo's canonical order. */
  readonly weights: HostWeights;
  /** The path or URL it was loaded from (or the FileSource's label, or "bytes"). */
  readonly name: string;
  /** llama2.c checkpoint or Hugging Face folder. */
  readonly format: "llama2c" | "hf";
  /** The model's config (also `weights.config`). */
  readonly config: ModelConfig;
}

/** Options of {@link loadModel}. */
export interface LoadModelOptions {
  /** The fetch used for URLs (default: the global fetch). */
  readonly fetch?: FetchFn;
  /** The name recorded for the model (default: the path or URL). */
  readonly name?: string;
}

function isFileSource(x: unknown): x is FileSource {
  return typeof x === "object" && x !== null && !(x instanceof URL) && typeof (x as FileSource).read === "function" && typeof (x as FileSource).exists === "function";
}

function isSafetensors(bytes: Uint8Array): boolean {
  // 8-byte little-endian header length, then the JSON header's "{".
  return bytes.byteLength > 9 && bytes[8] === 0x7b && bytes[6] === 0 && bytes[7] === 0;
}

function fromBytes(bytes: Uint8Array, name: string): HostModel {
  if (isSafetensors(bytes)) throw new TypeError(`loadModel: ${name} is a .safetensors file, which holds no config; pass the Hugging Face folder (with config.json) instead`);
  const weights = parseLlama2c(bytes);
  return { weights, name, format: "llama2c", config: weights.config };
}

async function fromFolder(src: FileSource, name: string): Promise<HostModel> {
  const weights = await loadHfWeights(src);
  return { weights, name, format: "hf", config: weights.config };
}

/**
 * Loads a model's weights onto the host (f32). `input` is a llama2.c `.bin` checkpoint or a Hugging Face
 * folder (LlamaForCausalLM, MistralForCausalLM, Qwen2ForCausalLM; config.json and model.safetensors or
 * a sharded index; F32/F16/BF16), as a path (Deno and Node), a URL (fetched; a folder URL ends in "/"
 * or is any URL not naming a .bin file), a path or URL of config.json or a .safetensors file in such a
 * folder, the `.bin` file's bytes, or a FileSource over the folder. Errors name what was read and why it
 * is not a model mazo can load.
 *
 * @example
 * ```ts
 * const model = await loadModel("../shared/data/stories260K/stories260K.bin");
 * console.log(model.config.dim, model.weights.tensors.length);
 * ```
 */
export async function loadModel(input: ModelInput, options: LoadModelOptions = {}): Promise<HostModel> {
  if (input instanceof Uint8Array) return fromBytes(input, options.name ?? "bytes");
  if (isFileSource(input)) return await fromFolder(input, options.name ?? input.label);
  const r = resolveLocation(input);
  const where = r.kind === "path" ? r.path : r.url;
  const name = options.name ?? where;
  const file = baseName(where);
  if (file === "config.json" || file.endsWith(".safetensors") || file === "model.safetensors.index.json") {
    const parent = parentOf(where);
    return await fromFolder(folderSourceOf(r.kind === "path" ? { kind: "path", path: parent } : { kind: "url", url: parent }, options), options.name ?? parent);
  }
  if (await isFolder(r)) return await fromFolder(folderSourceOf(r, options), name);
  if (r.kind === "url" && !/\.bin$/i.test(file)) return await fromFolder(folderSourceOf(r, options), name);
  return fromBytes(await readLocationBytes(r, options), name);
}
