/**
 * Loading models from the file system (CLI and tests; uses node:fs through src/io/files.ts): a llama2.c
 * .bin checkpoint or a Hugging Face folder, detected from the path. Tokenizer files next to the weights
 * are reported, not read. `openModel` reads only the config and headers; `uploadModel` then streams the
 * tensors to the GPU one at a time (src/model/stream_upload.ts), so the host never holds the model.
 */
import { readdirSync } from "node:fs";
import { basename, dirname, join } from "node:path";
import { fileSize, folderSource, isDirectory, isFile, readBytes, readRange, writeFileAtomic } from "../io/files.ts";
import type { GpuContext } from "../gpu/context.ts";
import type { ModelConfig } from "./config.ts";
import { encodeHfFolder } from "./convert.ts";
import type { WeightDtype } from "./half.ts";
import { type FileSource, type HfFolderPlan, loadHfWeights, planHfFolder } from "./hf.ts";
import { assertFinite } from "./finite.ts";
import { parseLlama2c, parseLlama2cHeader } from "./llama2c.ts";
import type { ParamStore } from "./param_store.ts";
import { uploadHostWeights, uploadHfFolder } from "./stream_upload.ts";
import type { HostWeights } from "./weights.ts";

/** A model found on disk: its config and where its tensors are, nothing of their data read yet. */
export interface ModelFiles {
  readonly format: "llama2c" | "hf";
  /** The checkpoint file or the folder. */
  readonly path: string;
  /** A tokenizer file next to the weights (tokenizer.json, tokenizer.model, or a llama2.c tok*.bin), if any. */
  readonly tokenizerPath: string | null;
  readonly config: ModelConfig;
  /** The dtype the weights are stored in (llama2.c: f32). */
  readonly storedDtype: WeightDtype;
  /** Hugging Face folders: the tensor plan and the folder's FileSource. */
  readonly hf?: { readonly plan: HfFolderPlan; readonly source: FileSource };
  /** llama2.c checkpoints (parsed whole: they are small). */
  readonly host?: HostWeights;
}

export interface LoadedModel extends ModelFiles {
  /** Every tensor on the host as f32 (the whole model in memory). */
  readonly weights: HostWeights;
}

/** Opens the model at `path` (like loadModel) reading only config.json and the safetensors headers. */
export async function openModel(path: string): Promise<ModelFiles> {
  if (isDirectory(path)) {
    if (!isFile(join(path, "config.json"))) throw new RangeError(`${path}: a folder without config.json is not a Hugging Face model folder`);
    const source = folderSource(path);
    const plan = await planHfFolder(source);
    return { format: "hf", path, tokenizerPath: findTokenizer(path), config: plan.config, storedDtype: plan.storedDtype, hf: { plan, source } };
  }
  if (!isFile(path)) throw new RangeError(`${path}: no such file or folder`);
  const name = basename(path);
  if (name === "config.json" || name.endsWith(".safetensors") || name === "model.safetensors.index.json") return openModel(dirname(path));
  const host = readLlama2c(path);
  return { format: "llama2c", path, tokenizerPath: findTokenizer(dirname(path)), config: host.config, storedDtype: "f32", host };
}

/**
 * Puts the model's weights on the GPU in `dtype` (null: as stored), streaming a Hugging Face folder
 * tensor by tensor from disk; host weights already loaded are uploaded from memory.
 */
export async function uploadModel(ctx: GpuContext, m: ModelFiles | LoadedModel, dtype: WeightDtype | null = null): Promise<ParamStore> {
  const d = dtype ?? m.storedDtype;
  if ("weights" in m) return await uploadHostWeights(ctx, m.weights, d, m.path);
  if (m.hf !== undefined) return await uploadHfFolder(ctx, m.hf.source, m.hf.plan, d);
  return await uploadHostWeights(ctx, m.host!, d, m.path);
}

function readLlama2c(path: string): HostWeights {
  // Check the size the header implies before reading (allocating) the whole file.
  const size = fileSize(path);
  const { expectedBytes } = parseLlama2cHeader(readRange(path, 0, Math.min(size, 28)));
  if (size !== expectedBytes) throw new RangeError(`${path}: ${size} bytes, but its llama2.c header implies ${expectedBytes}`);
  return parseLlama2c(readBytes(path));
}

const TOKENIZER_FILES = ["tokenizer.json", "tokenizer.model", "tokenizer.bin"];

/** The first tokenizer file found in `dir`: tokenizer.json, tokenizer.model, tokenizer.bin, then tok<N>.bin. */
export function findTokenizer(dir: string): string | null {
  for (const f of TOKENIZER_FILES) if (isFile(join(dir, f))) return join(dir, f);
  const tok = readdirSync(dir).filter((f) => /^tok\d+\.bin$/.test(f)).sort();
  return tok.length > 0 ? join(dir, tok[0]!) : null;
}

/**
 * Loads the model at `path`: a Hugging Face folder (or its config.json or a .safetensors file in it), or
 * a llama2.c legacy checkpoint file.
 */
export async function loadModel(path: string): Promise<LoadedModel> {
  const m = await openModel(path);
  const weights = m.host ?? await loadHfWeights(m.hf!.source);
  for (const t of weights.tensors) assertFinite(m.path, t.name, t.shape, { dtype: "f32", data: t.data });
  return { ...m, weights };
}

/**
 * Writes `w` as a Hugging Face Llama folder (config.json, model.safetensors F32; wq/wk permuted to the
 * rotate_half layout when needed). Each file is written atomically. Returns the paths written.
 */
export function writeHfFolder(dir: string, w: HostWeights): string[] {
  const written: string[] = [];
  for (const [file, parts] of encodeHfFolder(w)) {
    writeFileAtomic(join(dir, file), parts);
    written.push(join(dir, file));
  }
  return written;
}
