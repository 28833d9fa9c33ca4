/**
 * Turns an Example into one token sequence per candidate, with next-token targets on the candidate span,
 * for a forward pass that returns each sequence's summed log-probability of its targets.
 *
 * Tokenisation (MeZO's encode_prompt): the prompt and the full text `prompt + candidate` are each encoded
 * as one string (no BOS/EOS; the tokenizer's SentencePiece dummy prefix, if any, applies to both alike), and
 * the candidate span is the full text's tokens after its longest common prefix with the prompt's tokens.
 * When the prompt's tokens are a prefix of the full text's (the usual case) this is MeZO's option length
 * len(full) - len(prompt); when the tokenizer merges across the boundary, the merged token joins the span,
 * so the span is never empty unless the candidate adds no token (a RangeError). Sequence = BOS + full text.
 *
 * Truncation: when an example carries a `shorten` range (its task file's `truncate` field, the passage)
 * and a sequence would exceed `maxLength`, the end of that range is cut first (at a space where one is
 * near), as little as makes every candidate's sequence fit, so a truncated prompt still asks its
 * question. What still does not fit is cut MeZO's way: BOS is kept and tokens are dropped from the left
 * of the prompt; the candidate span is always kept whole (a RangeError when BOS + span alone exceed
 * maxLength).
 */
import type { Example } from "./example.ts";

/** What the encoder needs from a tokenizer. */
export interface Tokenizer {
  encode(text: string, opts?: { bos?: boolean; eos?: boolean }): Int32Array | number[];
  readonly bosId: number;
}

/** One sequence to score: `targets[t]` is the token whose log-probability counts at position t, or -1. */
export interface ScoringSequence {
  /** (T) token ids, BOS first. */
  readonly tokens: Int32Array;
  /** (T) `tokens[t + 1]` where position t + 1 is in the candidate span, else -1; the last entry is -1. */
  readonly targets: Int32Array;
}

/** A forward pass's result for one sequence: summed and mean log-probability of its targets. */
export interface SequenceScore {
  readonly sum: number;
  readonly count: number;
  readonly mean: number;
}

/** The forward-pass API the tasks feed: one score per sequence, in order. */
export type ScoreFn = (sequences: readonly ScoringSequence[]) => Promise<readonly SequenceScore[]>;

/** An Example with one scoring sequence per candidate. */
export interface EncodedExample {
  readonly example: Example;
  /** One per candidate, in candidate order. */
  readonly sequences: readonly ScoringSequence[];
  /** Index in `tokens` of each candidate's first token. */
  readonly spanStart: readonly number[];
  /** Tokens dropped from the left of each candidate's sequence by truncation. */
  readonly dropped: readonly number[];
  /** Characters cut from the end of the example's long field (`shorten`) to fit; 0 when none. */
  readonly shortened: number;
}

/** Options of {@link encodeExample}. */
export interface EncodeOptions {
  /** Maximum sequence length including BOS (the model's context length). */
  readonly maxLength: number;
}

function commonPrefix(a: ArrayLike<number>, b: ArrayLike<number>): number {
  const n = Math.min(a.length, b.length);
  let i = 0;
  while (i < n && a[i] === b[i]) i++;
  return i;
}

const NO_SPECIALS = { bos: false, eos: false };

/** The longest sequence (BOS included) of `prompt` with any of the candidates. */
function longestSequence(prompt: string, candidates: readonly string[], tokenizer: Tokenizer): number {
  let n = 0;
  for (const c of candidates) n = Math.max(n, 1 + tokenizer.encode(prompt + c, NO_SPECIALS).length);
  return n;
}

/**
 * `example` with the end of its `shorten` range cut as little as makes every candidate's sequence fit
 * `maxLength` (the whole range goes when nothing less fits), and the characters cut.
 */
function shortenToFit(example: Example, tokenizer: Tokenizer, maxLength: number): { example: Example; cut: number } {
  const r = example.shorten;
  if (r === undefined || longestSequence(example.prompt, example.candidates, tokenizer) <= maxLength) return { example, cut: 0 };
  const p = example.prompt;
  const at = (keep: number) => p.slice(0, r.start + keep) + p.slice(r.end);
  const fits = (keep: number) => longestSequence(at(keep), example.candidates, tokenizer) <= maxLength;
  // Largest kept length that fits (binary search; token counts grow with the kept text).
  let lo = 0, hi = r.end - r.start - 1;
  while (lo < hi) {
    const mid = (lo + hi + 1) >> 1;
    if (fits(mid)) lo = mid;
    else hi = mid - 1;
  }
  // Cut at a space when one lies in the last fifth of what is kept (no half words).
  const space = p.lastIndexOf(" ", r.start + lo);
  const keep = space >= r.start && space >= r.start + lo - Math.ceil(lo / 5) ? space - r.start : lo;
  // Spaces off the ends, as rendering leaves them (a passage cut to nothing leaves its separator first).
  const prompt = at(keep).replace(/^ +| +$/g, "");
  return { example: { ...example, prompt, shorten: { start: r.start, end: r.start + keep } }, cut: r.end - r.start - keep };
}

/** Encodes every candidate of `example` (see the module comment). */
export function encodeExample(original: Example, tokenizer: Tokenizer, options: EncodeOptions): EncodedExample {
  const { maxLength } = options;
  if (!Number.isInteger(maxLength) || maxLength < 2) throw new RangeError(`maxLength must be an integer >= 2, got ${maxLength}`);
  const { example, cut } = shortenToFit(original, tokenizer, maxLength);
  const noSpecials = NO_SPECIALS;
  const promptIds = tokenizer.encode(example.prompt, noSpecials);
  const sequences: ScoringSequence[] = [];
  const spanStart: number[] = [];
  const dropped: number[] = [];
  example.candidates.forEach((cand, c) => {
    const full = tokenizer.encode(example.prompt + cand, noSpecials);
    const start = commonPrefix(promptIds, full);
    const spanLen = full.length - start;
    if (spanLen <= 0) {
      throw new RangeError(`${example.task} ${example.id}: candidate ${c} ${JSON.stringify(cand)} adds no token after the prompt; a candidate span must be non-empty`);
    }
    if (spanLen + 1 > maxLength) {
      throw new RangeError(`${example.task} ${example.id}: candidate ${c} is ${spanLen} tokens; with BOS it needs ${spanLen + 1} > maxLength ${maxLength}`);
    }
    const drop = Math.max(0, 1 + full.length - maxLength);
    const T = 1 + full.length - drop;
    const tokens = new Int32Array(T);
    tokens[0] = tokenizer.bosId;
    for (let t = 1; t < T; t++) tokens[t] = full[drop + t - 1]!;
    const s = 1 + start - drop;
    const targets = new Int32Array(T).fill(-1);
    for (let t = s - 1; t < T - 1; t++) targets[t] = tokens[t + 1]!;
    sequences.push({ tokens, targets });
    spanStart.push(s);
    dropped.push(drop);
  });
  return { example, sequences, spanStart, dropped, shortened: cut };
}

/**
 * Scores a batch of encoded examples with one call of `score` over all their sequences and regroups
 * the results: `[example][candidate]`.
 */
export async function scoreEncoded(encoded: readonly EncodedExample[], score: ScoreFn): Promise<SequenceScore[][]> {
  const flat = encoded.flatMap((e) => e.sequences);
  const got = await score(flat);
  if (got.length !== flat.length) throw new RangeError(`score() returned ${got.length} results for ${flat.length} sequences`);
  const out: SequenceScore[][] = [];
  let k = 0;
  for (const e of encoded) {
    out.push(got.slice(k, k + e.sequences.length));
    k += e.sequences.length;
  }
  return out;
}
