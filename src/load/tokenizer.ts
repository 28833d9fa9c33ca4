/**
 * loadTokenizer: a tokenizer from wherever it is, on every runtime: a llama2.c tokenizer .bin or a
 * Hugging Face tokenizer.json, given as a path (Deno, Node), a URL, a model folder holding one, the
 * file's bytes, tokenizer.json text or its parsed object. Builds on src/tokenizer/load.ts (bytes in).
 */
import type { FetchFn } from "../browser/fetch_source.ts";
import { loadTokenizer as tokenizerFromBytes } from "../tokenizer/load.ts";
import type { Tokenizer, TokenizerKind } from "../tokenizer/types.ts";
import { folderSourceOf, isFolder, listFolder, type Location, readLocationBytes, type ResolvedLocation, resolveLocation } from "./location.ts";

/** Where a tokenizer is: a path or URL (of the file or of a folder holding it), its bytes, tokenizer.json text, or the parsed JSON. */
export type TokenizerInput = Location | Uint8Array | object;

/** Options of {@link loadTokenizer}. */
export interface LoadTokenizerOptions {
  /** The format, overriding detection ("hf": tokenizer.json, "llama2c": a llama2.c .bin). */
  readonly kind?: TokenizerKind;
  /** The fetch used for URLs (default: the global fetch). */
  readonly fetch?: FetchFn;
}

/** Tokenizer file names looked for in a folder, in order (then the first tok*.bin of a listable folder). */
export const TOKENIZER_FILE_NAMES: readonly string[] = ["tokenizer.json", "tokenizer.bin"];

async function inFolder(r: ResolvedLocation, o: LoadTokenizerOptions): Promise<Uint8Array> {
  const src = folderSourceOf(r, o);
  for (const name of TOKENIZER_FILE_NAMES) {
    if (await src.exists(name)) return await src.read(name, 0, await src.size(name));
  }
  const tok = (await listFolder(r))?.find((f) => /^tok.*\.bin$/.test(f));
  if (tok !== undefined) return await src.read(tok, 0, await src.size(tok));
  throw new RangeError(`loadTokenizer: folder ${src.label} has no ${TOKENIZER_FILE_NAMES.join(", ")}${r.kind === "path" ? " or tok*.bin" : ""}`);
}

/**
 * Loads a tokenizer: a llama2.c tokenizer `.bin` or a Hugging Face `tokenizer.json` (byte-level BPE,
 * Metaspace/ByteFallback), from a path (Deno and Node), a URL, a folder (tokenizer.json, tokenizer.bin,
 * else the first tok*.bin; a URL folder ends in "/"), the file's bytes, tokenizer.json text (a string
 * starting with "{") or the parsed tokenizer.json object. The format is detected from the bytes unless
 * `options.kind` is given.
 *
 * @example
 * ```ts
 * const tokenizer = await loadTokenizer("../shared/data/stories260K/tok512.bin");
 * console.log(tokenizer.encode("Once upon a time", { bos: true }));
 * ```
 */
export async function loadTokenizer(input: TokenizerInput, options: LoadTokenizerOptions = {}): Promise<Tokenizer> {
  const kind = options.kind;
  if (input instanceof Uint8Array) return await tokenizerFromBytes(input, kind);
  if (typeof input === "string" && /^\s*\{/.test(input)) return await tokenizerFromBytes(input, kind);
  if (typeof input !== "string" && !(input instanceof URL)) return await tokenizerFromBytes(input, kind);
  const r = resolveLocation(input);
  const bytes = (await isFolder(r)) ? await inFolder(r, options) : await readLocationBytes(r, options);
  return await tokenizerFromBytes(bytes, kind);
}
