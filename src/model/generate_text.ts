/**
 * generateText: text in, text out. Encodes the prompt (BOS first), runs `generate` (KV cache; greedy or
 * temperature sampling) and decodes the continuation, streaming what the decoded text gains with each
 * token (so multi-byte characters split over tokens are only sent once complete).
 */
import type { GpuContext } from "../gpu/context.ts";
import type { Tokenizer } from "../tokenizer/types.ts";
import { LlamaModel } from "./forward.ts";
import { generate, type GenerateOptions } from "./generate.ts";
import { ParamStore } from "./param_store.ts";
import type { HostWeights } from "./weights.ts";

/** What {@link generateText} takes. */
export interface GenerateTextOptions extends Omit<GenerateOptions, "onToken" | "maxTokens"> {
  /** The model: on the GPU already, or host weights (uploaded for this call, then freed; needs `ctx`). */
  readonly model: LlamaModel | { readonly weights: HostWeights };
  /** Needed when `model` is host weights. */
  readonly ctx?: GpuContext;
  readonly tokenizer: Tokenizer;
  /** The text to continue ("" starts from BOS alone). */
  readonly prompt: string;
  /** Tokens to generate at most (default 256). */
  readonly maxTokens?: number;
  /** Called with each new piece of decoded text as it is generated. */
  readonly onText?: (delta: string) => void;
}

/** The continuation {@link generateText} produced. */
export interface GeneratedText {
  /** The generated text (the prompt not included). */
  readonly text: string;
  /** The generated token ids. */
  readonly tokens: readonly number[];
  /** The prompt's token ids, BOS first. */
  readonly promptTokens: readonly number[];
}

/**
 * Continues `prompt` with the model: up to `maxTokens` tokens, stopping at BOS or EOS (or `stopIds`).
 *
 * @example
 * ```ts
 * const { text } = await generateText({ ctx, model, tokenizer, prompt: "Once upon a time", maxTokens: 40 });
 * ```
 */
export async function generateText(o: GenerateTextOptions): Promise<GeneratedText> {
  let owned: LlamaModel | null = null;
  let model: LlamaModel;
  if (o.model instanceof LlamaModel) {
    model = o.model;
  } else {
    if (o.ctx === undefined) throw new TypeError("generateText: host weights need a ctx (createGpuContext()) to upload them to");
    model = owned = new LlamaModel(o.ctx, ParamStore.upload(o.ctx, o.model.weights));
  }
  try {
    const tok = o.tokenizer;
    const bos = model.config.bosId;
    const prompt = [...tok.encode(o.prompt, { bos: true })];
    if (prompt.length === 0 || prompt[0] !== bos) prompt.unshift(bos);
    const promptText = tok.decode(prompt);
    const ids: number[] = [];
    let sent = "";
    const { onText, model: _m, ctx: _c, tokenizer: _t, prompt: _p, ...gen } = o;
    await generate(model, prompt, {
      ...gen,
      maxTokens: o.maxTokens ?? 256,
      onToken: (id) => {
        ids.push(id);
        if (onText === undefined) return;
        const text = tok.decode([...prompt, ...ids]).slice(promptText.length);
        if (text.startsWith(sent) && text.length > sent.length) {
          onText(text.slice(sent.length));
          sent = text;
        }
      },
    });
    const text = tok.decode([...prompt, ...ids]).slice(promptText.length);
    if (onText !== undefined && text.startsWith(sent) && text.length > sent.length) onText(text.slice(sent.length));
    return { text, tokens: ids, promptTokens: prompt };
  } finally {
    if (owned !== null) {
      owned.releaseActivations();
      owned.store.destroy(owned.ctx);
    }
  }
}
