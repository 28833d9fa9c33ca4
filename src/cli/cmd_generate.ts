/** `mazo generate`: continue a prompt with greedy or temperature sampling (KV cache). */
import { LlamaModel } from "../model/forward.ts";
import { generateText } from "../model/generate_text.ts";
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
    const ctx = await contextFromOptions(v, io);
    try {
      const model = new LlamaModel(ctx, await storeFromOptions(ctx, loaded, v));
      const t0 = performance.now();
      const r = await generateText({
        model,
        tokenizer: tokenizer!,
        prompt: String(v.prompt ?? ""),
        maxTokens,
        temperature,
        seed,
        ...(io.write === undefined ? {} : { onText: (delta: string) => io.write!(delta) }),
      });
      if (io.write === undefined) io.out(r.text);
      else io.write("\n");
      const secs = (performance.now() - t0) / 1000;
      if (v.quiet !== true) io.err(`mazo generate: ${r.tokens.length} tokens in ${secs.toFixed(2)}s (${(r.tokens.length / secs).toFixed(1)} tok/s)`);
      model.releaseActivations();
      model.store.destroy(ctx);
      return 0;
    } finally {
      ctx.destroy();
    }
  },
};
