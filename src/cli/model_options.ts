/** --model / --tokenizer handling shared by the subcommands that load a model. */
import { join } from "node:path";
import { dataDir } from "../io/files.ts";
import { tokenizerFromFile } from "../io/tokenizer_file.ts";
import type { GpuContext } from "../gpu/context.ts";
import { parseDtypeOption, type WeightDtype } from "../model/half.ts";
import { type LoadedModel, loadModel, type ModelFiles, openModel, uploadModel } from "../model/load.ts";
import type { ParamStore } from "../model/param_store.ts";
import type { Tokenizer } from "../tokenizer/types.ts";
import type { OptionSpec, OptionValues } from "./command.ts";
import { UsageError } from "./command.ts";

/** The bundled default model: stories260K from the shared data folder. */
export function defaultModelPath(): string {
  return join(dataDir(), "stories260K", "stories260K.bin");
}

export const MODEL_OPTIONS: Readonly<Record<string, OptionSpec>> = {
  model: { type: "string", arg: "<path>", description: "llama2.c .bin or Hugging Face folder (default: stories260K from the data folder)" },
  tokenizer: { type: "string", arg: "<path>", description: "tokenizer file or folder (default: the one next to the model)" },
};

/** --dtype, for every command that puts a model on the GPU. */
export const DTYPE_OPTIONS: Readonly<Record<string, OptionSpec>> = {
  dtype: { type: "string", arg: "f32|f16|bf16|auto", description: "storage of matrices and embeddings on the GPU (default auto: as stored; norms stay f32)" },
};

/** The --dtype value: a storage dtype, or null for auto (as stored). */
export function dtypeFromOptions(values: OptionValues): WeightDtype | null {
  const v = values.dtype;
  if (v === undefined) return null;
  if (typeof v !== "string") throw new UsageError(`--dtype needs a value (f32, f16, bf16 or auto)`);
  try {
    return parseDtypeOption(v);
  } catch (e) {
    throw new UsageError((e as Error).message);
  }
}

/** Uploads the model in the --dtype storage (streaming Hugging Face folders from disk). */
export async function storeFromOptions(ctx: GpuContext, m: ModelFiles | LoadedModel, values: OptionValues): Promise<ParamStore> {
  return await uploadModel(ctx, m, dtypeFromOptions(values));
}

/** Loads --model (or the default) and its tokenizer (--tokenizer, or found next to the weights). */
export async function modelFromOptions(values: OptionValues, needTokenizer: boolean): Promise<{ loaded: LoadedModel; tokenizer: Tokenizer | null }> {
  const path = typeof values.model === "string" ? values.model : defaultModelPath();
  dtypeFromOptions(values);
  const loaded = await loadModel(path);
  return { loaded, tokenizer: await tokenizerFor(loaded, values, needTokenizer) };
}

/**
 * Opens --model without reading its tensors (config and headers only; stream them to the GPU with
 * storeFromOptions) and loads its tokenizer.
 */
export async function modelFilesFromOptions(values: OptionValues, needTokenizer: boolean): Promise<{ loaded: ModelFiles; tokenizer: Tokenizer | null }> {
  const path = typeof values.model === "string" ? values.model : defaultModelPath();
  dtypeFromOptions(values);
  const loaded = await openModel(path);
  return { loaded, tokenizer: await tokenizerFor(loaded, values, needTokenizer) };
}

async function tokenizerFor(loaded: ModelFiles, values: OptionValues, needTokenizer: boolean): Promise<Tokenizer | null> {
  const path = loaded.path;
  const tokPath = typeof values.tokenizer === "string" ? values.tokenizer : loaded.tokenizerPath;
  if (tokPath === null) {
    if (needTokenizer) throw new UsageError(`no tokenizer next to ${path}; pass --tokenizer <path>`);
    return null;
  }
  const tokenizer = await tokenizerFromFile(tokPath);
  if (tokenizer.vocabSize > loaded.config.vocabSize) {
    throw new RangeError(`tokenizer ${tokPath} has ${tokenizer.vocabSize} tokens but the model's vocabulary is ${loaded.config.vocabSize}`);
  }
  return tokenizer;
}
