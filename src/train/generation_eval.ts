/**
 * Evaluation of generation tasks as MeZO does for SQuAD and DROP: greedy decoding of each test prompt
 * until the stop string's token ("\n": MeZO's eos_token, the last id of its encoding), EOS/BOS or
 * `max_new_tokens`, then the decoded text cut at the stop string and trimmed, scored by exact match and
 * token F1 after answer normalisation (src/tasks/generation_metrics.ts).
 */
import type { LlamaModel } from "../model/forward.ts";
import { generate } from "../model/generate.ts";
import type { EncodedExample } from "../tasks/encode.ts";
import { answerF1, exactMatch, predictionText } from "../tasks/generation_metrics.ts";
import type { Tokenizer } from "../tokenizer/types.ts";

/** Greedy decoding: the text that follows `prompt` (token ids, BOS first), at most `maxTokens` tokens, ending before a token of `stop`. */
export type TextGenerator = (prompt: readonly number[], o: { readonly maxTokens: number; readonly stop: string }) => Promise<string>;

/** A {@link TextGenerator} over the GPU model (KV-cache greedy decoding, src/model/generate.ts). */
export function modelGenerator(model: LlamaModel, tokenizer: Tokenizer): TextGenerator {
  const stopIdCache = new Map<string, number[]>();
  const stopIds = (stop: string): number[] => {
    let ids = stopIdCache.get(stop);
    if (ids === undefined) {
      ids = [model.config.bosId, model.config.eosId];
      const enc = stop === "" ? [] : tokenizer.encode(stop, { bos: false, eos: false });
      if (enc.length > 0) ids.push(enc[enc.length - 1]!);
      stopIdCache.set(stop, ids);
    }
    return ids;
  };
  return async (prompt, o) => {
    const ids = await generate(model, prompt, { maxTokens: o.maxTokens, temperature: 0, stopIds: stopIds(o.stop) });
    const head = tokenizer.decode(prompt);
    return tokenizer.decode([...prompt, ...ids]).slice(head.length);
  };
}

/** One decoded test example. */
export interface GeneratedAnswer {
  readonly id: string;
  /** The decoded continuation, as generated. */
  readonly text: string;
  /** `text` cut at the stop string and trimmed. */
  readonly prediction: string;
  readonly em: number;
  readonly f1: number;
}

/** The prompt tokens of an encoded generation example: its sequence up to the answer span (BOS first, truncated as for training). */
export function promptTokens(e: EncodedExample): number[] {
  const seq = e.sequences[0];
  const start = e.spanStart[0];
  if (seq === undefined || start === undefined) throw new RangeError(`${e.example.task} ${e.example.id}: a generation example needs one encoded answer target`);
  return [...seq.tokens.subarray(0, start)];
}

/** Greedy-decodes every example and scores it against its acceptable answers. */
export async function generateAnswers(examples: readonly EncodedExample[], generator: TextGenerator): Promise<GeneratedAnswer[]> {
  const out: GeneratedAnswer[] = [];
  for (const e of examples) {
    const g = e.example.generation;
    const answers = e.example.answers;
    if (g === undefined || answers === undefined || answers.length === 0) throw new RangeError(`${e.example.task} ${e.example.id}: not a generation example (no answers or generation settings)`);
    const text = await generator(promptTokens(e), { maxTokens: g.maxNewTokens, stop: g.stop });
    const prediction = predictionText(text, g.stop);
    out.push({ id: e.example.id, text, prediction, em: exactMatch(prediction, answers), f1: answerF1(prediction, answers) });
  }
  return out;
}

/** Mean exact match and token F1 of decoded answers (NaN when there are none). */
export function meanEmF1(answers: readonly GeneratedAnswer[]): { em: number; f1: number } {
  if (answers.length === 0) return { em: NaN, f1: NaN };
  let em = 0, f1 = 0;
  for (const a of answers) {
    em += a.em;
    f1 += a.f1;
  }
  return { em: em / answers.length, f1: f1 / answers.length };
}
