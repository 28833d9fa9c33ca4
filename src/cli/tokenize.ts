// `mazo tokenize --tokenizer <path> (--text "..." | --file <path>) [--json]`: prints token ids (and pieces
// without --json); with --file, one output line per input line.
import { readFileSync } from "node:fs";
import { tokenizerFromFile } from "../io/tokenizer_file.ts";
import type { Tokenizer } from "../tokenizer/types.ts";

/** Options of the tokenize command. */
export interface TokenizeOptions {
  /** A llama2.c .bin, a tokenizer.json, or a model folder holding one. */
  tokenizer: string;
  /** Text to encode (exactly one of text and file). */
  text?: string;
  /** File whose lines are encoded one by one (exactly one of text and file). */
  file?: string;
  /** Print JSON arrays of ids only. */
  json: boolean;
  /** Prepend BOS (default: true for llama2.c tokenizers, which run.c always encodes with BOS; false otherwise). */
  bos?: boolean;
}

const pieces = (t: Tokenizer, ids: Int32Array): string => Array.from(ids, (id) => JSON.stringify(t.idToPiece(id))).join(" ");

/**
 * Encodes `opts.text`, or each line of `opts.file`, and writes through `out`:
 * --text: a line of space-separated ids, then a line of JSON-quoted pieces (with --json: one JSON array);
 * --file: one line per input line, ids then a tab and the pieces (with --json: one JSON array per line).
 */
export async function tokenizeCommand(opts: TokenizeOptions, out: (line: string) => void): Promise<void> {
  if ((opts.text === undefined) === (opts.file === undefined)) {
    throw new TypeError(`tokenize: give exactly one of --text and --file; got ${opts.text === undefined ? "neither" : "both"}`);
  }
  const tok = await tokenizerFromFile(opts.tokenizer);
  const bos = opts.bos ?? tok.kind === "llama2c";
  if (opts.text !== undefined) {
    const ids = tok.encode(opts.text, { bos });
    if (opts.json) out(JSON.stringify(Array.from(ids)));
    else {
      out(Array.from(ids).join(" "));
      out(pieces(tok, ids));
    }
    return;
  }
  const lines = readFileSync(opts.file!, "utf8").split(/\r?\n/);
  if (lines.length > 0 && lines[lines.length - 1] === "") lines.pop();
  for (const line of lines) {
    const ids = tok.encode(line, { bos });
    out(opts.json ? JSON.stringify(Array.from(ids)) : `${Array.from(ids).join(" ")}\t${pieces(tok, ids)}`);
  }
}
