/** --model / --tokenizer handling shared by the subcommands that load a model. */
import { join } from "node:path";
import { dataDir } from "../io/files.ts";
import { tokenizerFromFile } from "../io/tokenizer_file.ts";
import { type LoadedModel, loadModel } from "../model/load.ts";
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

/** Loads --model (or the default) and its tokenizer (--tokenizer, or found next to the weights). */
export async function modelFromOptions(values: OptionValues, needTokenizer: boolean): Promise<{ loaded: LoadedModel; tokenizer: Tokenizer | null }> {
  const path = typeof values.model === "string" ? values.model : defaultModelPath();
  const loaded = await loadModel(path);
  const tokPath = typeof values.tokenizer === "string" ? values.tokenizer : loaded.tokenizerPath;
  if (tokPath === null) {
    if (needTokenizer) throw new UsageError(`no tokenizer next to ${path}; pass --tokenizer <path>`);
    return { loaded, tokenizer: null };
  }
  const tokenizer = await tokenizerFromFile(tokPath);
  if (tokenizer.vocabSize > loaded.weights.config.vocabSize) {
    throw new RangeError(`tokenizer ${tokPath} has ${tokenizer.vocabSize} tokens but the model's vocabulary is ${loaded.weights.config.vocabSize}`);
  }
  return { loaded, tokenizer };
}
