// Public tokenizer API. This file only re-exports.
export { detectTokenizerKind, loadTokenizer } from "./load.ts";
export { Llama2cTokenizer, parseLlama2cVocab } from "./llama2c.ts";
export type { Llama2cVocab } from "./llama2c.ts";
export { HfTokenizer } from "./hf/tokenizer.ts";
export type { EncodeOptions, Tokenizer, TokenizerKind } from "./types.ts";
