// Entry point of the tokenizer API: bytes or JSON in, a Tokenizer out, whichever the format.
import { HfTokenizer } from "./hf/tokenizer.ts";
import { Llama2cTokenizer } from "./llama2c.ts";
import type { Tokenizer, TokenizerKind } from "./types.ts";

/** The format of tokenizer file bytes: JSON (tokenizer.json) when the first non-blank byte is "{". */
export function detectTokenizerKind(bytes: Uint8Array): TokenizerKind {
  for (const b of bytes) {
    if (b === 0x20 || b === 0x09 || b === 0x0a || b === 0x0d || b === 0xef || b === 0xbb || b === 0xbf) continue;
    return b === 0x7b ? "hf" : "llama2c";
  }
  return "llama2c";
}

/**
 * A tokenizer from a file's bytes (llama2.c .bin or tokenizer.json), tokenizer.json text, or a parsed
 * tokenizer.json object. `kind` overrides format detection.
 */
export async function loadTokenizer(src: Uint8Array | string | object, kind?: TokenizerKind): Promise<Tokenizer> {
  if (src instanceof Uint8Array) {
    const k = kind ?? detectTokenizerKind(src);
    if (k === "llama2c") return await Llama2cTokenizer.create(src);
    return await HfTokenizer.create(parseTokenizerJson(new TextDecoder().decode(src)));
  }
  if (kind === "llama2c") throw new TypeError(`loadTokenizer: a llama2.c tokenizer needs the file's bytes (Uint8Array); got ${typeof src}`);
  return await HfTokenizer.create(typeof src === "string" ? parseTokenizerJson(src) : src);
}

function parseTokenizerJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch (e) {
    throw new TypeError(`tokenizer.json: not valid JSON (${(e as Error).message})`);
  }
}
