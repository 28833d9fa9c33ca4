/** `mazo tokenize`: encode text with a tokenizer and print the ids. */
import type { Command } from "./command.ts";
import { UsageError } from "./command.ts";
import { tokenizeCommand } from "./tokenize.ts";

export const tokenizeCmd: Command = {
  name: "tokenize",
  summary: "encode text with a tokenizer and print the ids (and pieces)",
  usage: '--tokenizer <path> (--text "..." | --file <path>) [--json]',
  options: {
    tokenizer: { type: "string", arg: "<path>", description: "llama2.c .bin, tokenizer.json, or a model folder holding one" },
    text: { type: "string", arg: "<text>", description: "text to encode" },
    file: { type: "string", arg: "<path>", description: "encode each line of this file" },
    json: { type: "boolean", default: false, description: "print JSON arrays of ids only" },
  },
  async run(v, _p, io) {
    if (typeof v.tokenizer !== "string") throw new UsageError("--tokenizer is required");
    if ((v.text === undefined) === (v.file === undefined)) throw new UsageError("give exactly one of --text and --file");
    await tokenizeCommand(
      { tokenizer: v.tokenizer, ...(typeof v.text === "string" ? { text: v.text } : {}), ...(typeof v.file === "string" ? { file: v.file } : {}), json: v.json === true },
      (line) => io.out(line),
    );
    return 0;
  },
};
