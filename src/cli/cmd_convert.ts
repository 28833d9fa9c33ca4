/**
 * `mazo convert`: write a model (llama2.c checkpoint or Hugging Face folder) as a Hugging Face folder:
 * config.json, model.safetensors (F32, wq/wk in rotate_half order) and tokenizer.json.
 */
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { writeFileAtomic } from "../io/files.ts";
import { writeHfFolder } from "../model/load.ts";
import { parseLlama2cVocab } from "../tokenizer/llama2c.ts";
import { llama2cTokenizerJson } from "../tokenizer/llama2c_json.ts";
import { type Command, requireString } from "./command.ts";
import { MODEL_OPTIONS, modelFromOptions } from "./model_options.ts";

export const convertCommand: Command = {
  name: "convert",
  summary: "write a llama2.c checkpoint (or any loadable model) as a Hugging Face folder",
  usage: "--model <path> --out <dir> [--tokenizer <path>]",
  options: {
    ...MODEL_OPTIONS,
    out: { type: "string", arg: "<dir>", description: "output folder (created; files are written atomically)" },
  },
  async run(v, _p, io) {
    const out = requireString(v, "out");
    const { loaded } = await modelFromOptions(v, false);
    const written = writeHfFolder(out, loaded.weights);
    const tokPath = typeof v.tokenizer === "string" ? v.tokenizer : loaded.tokenizerPath;
    if (tokPath !== null) {
      const target = join(out, "tokenizer.json");
      if (tokPath.endsWith(".json")) {
        writeFileAtomic(target, [readFileSync(tokPath)]);
      } else if (tokPath.endsWith(".bin")) {
        const json = llama2cTokenizerJson(parseLlama2cVocab(new Uint8Array(readFileSync(tokPath))));
        writeFileAtomic(target, [new TextEncoder().encode(JSON.stringify(json))]);
      } else {
        io.err(`mazo convert: tokenizer ${tokPath} is not a tokenizer.json or llama2.c .bin; not converted`);
      }
      if (tokPath.endsWith(".json") || tokPath.endsWith(".bin")) written.push(target);
    }
    for (const f of written) io.out(f);
    return 0;
  },
};
