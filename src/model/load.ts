/**
 * Loading models from the file system (CLI and tests; uses node:fs through src/io/files.ts): a llama2.c
 * .bin checkpoint or a Hugging Face folder, detected from the path. Tokenizer files next to the weights
 * are reported, not read.
 */
import { readdirSync } from "node:fs";
import { basename, dirname, join } from "node:path";
import { fileSize, folderSource, isDirectory, isFile, readBytes, readRange, writeFileAtomic } from "../io/files.ts";
import { encodeHfFolder } from "./convert.ts";
import { loadHfWeights } from "./hf.ts";
import { parseLlama2c, parseLlama2cHeader } from "./llama2c.ts";
import type { HostWeights } from "./weights.ts";

export interface LoadedModel {
  readonly weights: HostWeights;
  readonly format: "llama2c" | "hf";
  /** The checkpoint file or the folder. */
  readonly path: string;
  /** A tokenizer file next to the weights (tokenizer.json, tokenizer.model, or a llama2.c tok*.bin), if any. */
  readonly tokenizerPath: string | null;
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
  if (isDirectory(path)) {
    if (!isFile(join(path, "config.json"))) throw new RangeError(`${path}: a folder without config.json is not a Hugging Face model folder`);
    return { weights: await loadHfWeights(folderSource(path)), format: "hf", path, tokenizerPath: findTokenizer(path) };
  }
  if (!isFile(path)) throw new RangeError(`${path}: no such file or folder`);
  const name = basename(path);
  if (name === "config.json" || name.endsWith(".safetensors") || name === "model.safetensors.index.json") return loadModel(dirname(path));
  // Check the size the header implies before reading (allocating) the whole file.
  const size = fileSize(path);
  const { expectedBytes } = parseLlama2cHeader(readRange(path, 0, Math.min(size, 28)));
  if (size !== expectedBytes) throw new RangeError(`${path}: ${size} bytes, but its llama2.c header implies ${expectedBytes}`);
  return { weights: parseLlama2c(readBytes(path)), format: "llama2c", path, tokenizerPath: findTokenizer(dirname(path)) };
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
