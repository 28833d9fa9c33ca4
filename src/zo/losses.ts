/**
 * Training losses for the ZO trainer. A loss is pluggable as `LossForStep`: given the step, it returns the
 * LossFn (one forward pass on that step's batch under the current weights). This file has the
 * teacher-forced LM loss over plain text ({"text": ...} jsonl): each text is tokenised with BOS and
 * truncated to maxLen tokens; the targets are the next tokens; the loss is the mean negative log-likelihood
 * over all target tokens of the batch. The classification loss of src/tasks/metrics.ts plugs in the same
 * way (a LossForStep that scores candidates and returns the mean cross-entropy).
 */
import type { LlamaModel, ScoreSequence } from "../model/forward.ts";
import type { LossFn } from "./scope.ts";
import { probeSeed } from "./seeds.ts";

/** The batch loss of step `step`. */
export type LossForStep = (step: number) => LossFn;

/** Minimal tokenizer surface the LM loss needs. */
export interface TextTokenizer {
  readonly bosId: number;
  encode(text: string, opts?: { bos?: boolean }): ArrayLike<number>;
}

/** The "text" fields of a jsonl file's lines (blank lines skipped); RangeError naming a bad line. */
export function parseTextJsonl(text: string, source = "data.jsonl"): string[] {
  const out: string[] = [];
  text.split("\n").forEach((line, i) => {
    if (line.trim() === "") return;
    let o: unknown;
    try {
      o = JSON.parse(line);
    } catch (e) {
      throw new RangeError(`${source}:${i + 1}: not valid JSON (${(e as Error).message})`);
    }
    const t = (o as { text?: unknown } | null)?.text;
    if (typeof t !== "string") throw new RangeError(`${source}:${i + 1}: expected an object with a string "text" field`);
    out.push(t);
  });
  return out;
}

/** Token ids of each text: BOS first, at most maxLen tokens; texts with fewer than 2 tokens are dropped. */
export function encodeTexts(texts: readonly string[], tokenizer: TextTokenizer, maxLen: number): number[][] {
  if (!Number.isInteger(maxLen) || maxLen < 2) throw new RangeError(`encodeTexts: maxLen must be an integer >= 2, got ${maxLen}`);
  const out: number[][] = [];
  for (const t of texts) {
    const ids = Array.from(tokenizer.encode(t, { bos: true }));
    if (ids[0] !== tokenizer.bosId) ids.unshift(tokenizer.bosId);
    if (ids.length >= 2) out.push(ids.slice(0, maxLen));
  }
  return out;
}

/** Teacher-forcing sequences: targets[t] = tokens[t+1], the last position unscored. */
export function lmSequences(examples: readonly (readonly number[])[]): ScoreSequence[] {
  return examples.map((tokens) => ({ tokens, targets: [...tokens.slice(1), -1] }));
}

/**
 * Mean NLL (nats per target token) of `seqs` under the model's current weights: one forward pass. (Not
 * src/tasks/metrics.ts's lmLoss, the loss of one scored gold candidate.)
 */
export async function lmBatchLoss(model: LlamaModel, seqs: readonly ScoreSequence[]): Promise<number> {
  const r = await model.score(seqs);
  let sum = 0, count = 0;
  for (let b = 0; b < seqs.length; b++) {
    sum += r.sum[b]!;
    count += r.count[b]!;
  }
  return count === 0 ? NaN : -sum / count;
}

/**
 * Deterministic batches: each epoch is a permutation of the examples drawn from (seed, epoch), and batch
 * `step` takes the next `batch` examples (wrapping into the next epoch). Same seed, same batches.
 */
export class Batcher<T> {
  readonly items: readonly T[];
  readonly batch: number;
  readonly seed: number;
  #perms = new Map<number, Uint32Array>();

  constructor(items: readonly T[], batch: number, seed: number) {
    if (items.length === 0) throw new RangeError("Batcher: no examples");
    if (!Number.isInteger(batch) || batch < 1) throw new RangeError(`Batcher: batch must be a positive integer, got ${batch}`);
    this.items = items;
    this.batch = batch;
    this.seed = seed >>> 0;
  }

  #perm(epoch: number): Uint32Array {
    let p = this.#perms.get(epoch);
    if (p !== undefined) return p;
    p = Uint32Array.from(this.items, (_, i) => i);
    for (let i = p.length - 1; i > 0; i--) {
      const j = probeSeed(this.seed, epoch, i) % (i + 1);
      [p[i], p[j]] = [p[j]!, p[i]!];
    }
    if (this.#perms.size > 4) this.#perms.clear();
    this.#perms.set(epoch, p);
    return p;
  }

  /** The examples of batch `step`. */
  at(step: number): T[] {
    const n = this.items.length;
    const out: T[] = [];
    for (let k = 0; k < this.batch; k++) {
      const pos = step * this.batch + k;
      out.push(this.items[this.#perm(Math.floor(pos / n))[pos % n]!]!);
    }
    return out;
  }
}

/** The LM loss over batches of `examples` (token ids with BOS), batch `batch`, shuffled with `seed`. */
export function lmLossForStep(model: LlamaModel, examples: readonly (readonly number[])[], batch: number, seed: number): LossForStep {
  const batcher = new Batcher(lmSequences(examples), batch, seed);
  return (step) => {
    const seqs = batcher.at(step);
    return () => lmBatchLoss(model, seqs);
  };
}
