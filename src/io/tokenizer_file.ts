// Loads a tokenizer from a path (node:fs; Deno and Node). The browser passes bytes to loadTokenizer instead.
import { existsSync, readdirSync } from "node:fs";
import { join } from "node:path";
import { detectTokenizerKind, loadTokenizer } from "../tokenizer/load.ts";
import type { Tokenizer } from "../tokenizer/types.ts";
import { MazoFormatError } from "./errors.ts";
import { fileSize, isDirectory, readBytes } from "./files.ts";
import { parseJsonText } from "./json.ts";

/** The largest tokenizer file read (tokenizer.json of today's models: 2-35 MB). */
export const MAX_TOKENIZER_BYTES = 128 << 20;

/**
 * The tokenizer file a path names: the path itself if it is a file, else in that folder tokenizer.json,
 * then tokenizer.bin, then the first tok*.bin. Throws an Error listing what it looked for.
 */
export function resolveTokenizerPath(path: string): string {
  if (!isDirectory(path)) {
    if (!existsSync(path)) throw new Error(`tokenizer: ${path} does not exist; expected a llama2.c .bin, a tokenizer.json or a model folder`);
    return path;
  }
  for (const name of ["tokenizer.json", "tokenizer.bin"]) if (existsSync(join(path, name))) return join(path, name);
  const tok = readdirSync(path).filter((f) => /^tok.*\.bin$/.test(f)).sort()[0];
  if (tok !== undefined) return join(path, tok);
  throw new Error(`tokenizer: folder ${path} has no tokenizer.json, tokenizer.bin or tok*.bin`);
}

/** A tokenizer from a llama2.c .bin, a tokenizer.json, or a model folder holding one. */
export async function tokenizerFromFile(path: string): Promise<Tokenizer> {
  const file = resolveTokenizerPath(path);
  const size = fileSize(file);
  if (size > MAX_TOKENIZER_BYTES) throw new MazoFormatError(file, "size", `${size} bytes, more than the ${MAX_TOKENIZER_BYTES} a tokenizer file may have (real ones are under 40 MB); not read`);
  const bytes = readBytes(file);
  try {
    if (detectTokenizerKind(bytes) === "llama2c") return await loadTokenizer(bytes, "llama2c");
    return await loadTokenizer(parseJsonText(new TextDecoder().decode(bytes), file) as object);
  } catch (e) {
    if (e instanceof Error && !e.message.includes(file)) e.message = `${file}: ${e.message}`;
    throw e;
  }
}
