/** `mazo generate`: continue a prompt with greedy or temperature sampling (KV cache). */
import { LlamaModel } from "../model/forward.ts";
import { generate } from "../model/generate.ts";
import { type Command, numberOption } from "./command.ts";
import { contextFromOptions, GPU_OPTIONS } from "./gpu_options.ts";
import { DTYPE_OPTIONS, MODEL_OPTIONS, modelFilesFromOptions, storeFromOptions } from "./model_options.ts";

export const generateCommand: Command = {
  name: "generate",
  summary: "print a prompt's continuation (stdout: generated text only)",
  usage: '[--model <path>] [--tokenizer <path>] --prompt "..." [--max-tokens N] [--temperature T] [--seed S]',
  options: {
    ...MODEL_OPTIONS,
    ...DTYPE_OPTIONS,
    ...GPU_OPTIONS,
    prompt: { type: "string", arg: "<text>", default: "", description: "text to continue; empty starts from BOS" },
    "max-tokens": { type: "string", arg: "<N>", default: "256", description: "tokens to generate at most" },
    temperature: { type: "string", arg: "<T>", default: "0", description: "0 = greedy" },
    seed: { type: "string", arg: "<S>", description: "sampling seed (default: time)" },
  },
  async run(v, _p, io) {
    const maxTokens = numberOption(v, "max-tokens", 256, 1, 1 << 20);
    const temperature = numberOption(v, "temperature", 0, 0, 100);
    const seed = numberOption(v, "seed", Date.now(), 0, Number.MAX_SAFE_INTEGER);
    const { loaded, tokenizer } = await modelFilesFromOptions(v, true);
    const tok = tokenizer!;
    const ctx = await contextFromOptions(v, io);
    try {
      const model = new LlamaModel(ctx, await storeFromOptions(ctx, loaded, v));
      const bos = loaded.config.bosId;
      const prompt = [...tok.encode(String(v.prompt ?? ""), { bos: true })];
      if (prompt.length === 0 || prompt[0] !== bos) prompt.unshift(bos);
      const t0 = performance.now();
      let printed = "";
      const ids: number[] = [];
      const promptText = tok.decode(prompt);
      // Stream: print what the decoded text gained with each token (the prompt itself is not echoed).
      await generate(model, prompt, {
        maxTokens,
        temperature,
        seed,
        onToken: (id) => {
          ids.push(id);
          const text = tok.decode([...prompt, ...ids]).slice(promptText.length);
          if (text.startsWith(printed)) {
            io.write?.(text.slice(printed.length));
            printed = text;
          }
        },
      });
      const full = tok.decode([...prompt, ...ids]).slice(promptText.length);
      if (io.write === undefined) io.out(full);
      else io.write(full.slice(printed.length) + "\n");
      const secs = (performance.now() - t0) / 1000;
      if (v.quiet !== true) io.err(`mazo generate: ${ids.length} tokens in ${secs.toFixed(2)}s (${(ids.length / secs).toFixed(1)} tok/s)`);
      return 0;
    } finally {
      ctx.destroy();
    }
  },
};
