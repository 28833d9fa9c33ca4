/** Example encoding: candidate spans, targets and left truncation, on a fake SentencePiece-like tokenizer. */
import { suite } from "uvu";
import * as assert from "uvu/assert";
import { encodeExample, type ScoringSequence, scoreEncoded, type Tokenizer } from "../../src/tasks/encode.ts";
import type { Example } from "../../src/tasks/example.ts";

/**
 * A greedy longest-match tokenizer with a SentencePiece-style dummy prefix: spaces become "▁", the text
 * gets a leading "▁", and pieces from `merges` are preferred over single characters. Ids are assigned
 * in order of first appearance (BOS = 1).
 */
class FakeTokenizer implements Tokenizer {
  readonly bosId = 1;
  readonly ids = new Map<string, number>();
  readonly calls: { text: string; opts: unknown }[] = [];
  constructor(readonly merges: readonly string[]) {}
  id(piece: string): number {
    let v = this.ids.get(piece);
    if (v === undefined) this.ids.set(piece, (v = 3 + this.ids.size));
    return v;
  }
  pieces(text: string): string[] {
    const s = text === "" ? "" : `▁${text.replace(/ /g, "▁")}`;
    const out: string[] = [];
    let i = 0;
    while (i < s.length) {
      const m = this.merges.filter((p) => s.startsWith(p, i)).sort((a, b) => b.length - a.length)[0] ?? s[i]!;
      out.push(m);
      i += m.length;
    }
    return out;
  }
  encode(text: string, opts?: { bos?: boolean; eos?: boolean }): number[] {
    this.calls.push({ text, opts });
    return this.pieces(text).map((p) => this.id(p));
  }
}

const WORDS = ["▁a", "▁b", "▁c", "▁d", "▁It", "▁was", "▁great", "▁terrible", "▁movie", "?\nYes", "?\n", "Yes", "No"];
const ex = (prompt: string, candidates: string[], label = 0): Example => ({ task: "t", id: "0", prompt, candidates, label });

function targetsOf(seq: ScoringSequence): [number, number][] {
  const out: [number, number][] = [];
  seq.targets.forEach((v, t) => {
    if (v !== -1) out.push([t, v]);
  });
  return out;
}

const span = suite("encodeExample() spans and targets");
span("a one-token candidate: BOS + prompt + candidate, one target at the last prompt position", () => {
  const tok = new FakeTokenizer(WORDS);
  const e = encodeExample(ex("a b It was", [" great", " terrible"]), tok, { maxLength: 64 });
  const [g, t] = e.sequences;
  assert.equal(Array.from(g!.tokens), [1, tok.id("▁a"), tok.id("▁b"), tok.id("▁It"), tok.id("▁was"), tok.id("▁great")]);
  assert.equal(targetsOf(g!), [[4, tok.id("▁great")]]);
  assert.is(g!.targets[5], -1);
  assert.equal(targetsOf(t!), [[4, tok.id("▁terrible")]]);
  assert.equal(e.spanStart, [5, 5]);
  assert.equal(e.dropped, [0, 0]);
});
span("a multi-token candidate gets one target per candidate token", () => {
  const tok = new FakeTokenizer(WORDS);
  const e = encodeExample(ex("a It was", [" terrible movie", " great"]), tok, { maxLength: 64 });
  assert.equal(targetsOf(e.sequences[0]!), [[3, tok.id("▁terrible")], [4, tok.id("▁movie")]]);
  assert.equal(targetsOf(e.sequences[1]!), [[3, tok.id("▁great")]]);
});
span("tokens are encoded without BOS/EOS by the tokenizer; the encoder adds BOS itself", () => {
  const tok = new FakeTokenizer(WORDS);
  encodeExample(ex("a", [" b", " c"]), tok, { maxLength: 8 });
  for (const c of tok.calls) assert.equal(c.opts, { bos: false, eos: false });
  assert.equal(tok.calls.map((c) => c.text), ["a", "a b", "a c"]);
});
span("a piece merged across the prompt/candidate boundary joins the span, which stays non-empty", () => {
  const tok = new FakeTokenizer(WORDS);
  // prompt "a?\n" -> [▁a, ?\n]; full "a?\nYes" -> [▁a, ?\nYes]: the shared prefix is [▁a].
  const e = encodeExample(ex("a?\n", ["Yes", "No"]), tok, { maxLength: 16 });
  assert.equal(Array.from(e.sequences[0]!.tokens), [1, tok.id("▁a"), tok.id("?\nYes")]);
  assert.equal(targetsOf(e.sequences[0]!), [[1, tok.id("?\nYes")]]);
  assert.equal(Array.from(e.sequences[1]!.tokens), [1, tok.id("▁a"), tok.id("?\n"), tok.id("No")]);
  assert.equal(targetsOf(e.sequences[1]!), [[2, tok.id("No")]]);
  assert.equal(e.spanStart, [2, 3]);
});
span("an empty candidate is a RangeError: its span would be empty", () => {
  assert.throws(() => encodeExample(ex("a b", ["", " c"]), new FakeTokenizer(WORDS), { maxLength: 16 }), (e: unknown) => e instanceof RangeError && /candidate 0 "" adds no token/.test((e as Error).message));
});
span.run();

const trunc = suite("encodeExample() truncation");
trunc("long prompts lose tokens from the left, keeping BOS and the whole candidate", () => {
  const tok = new FakeTokenizer(WORDS);
  const e = encodeExample(ex("a b c d It was", [" terrible movie", " great"]), tok, { maxLength: 5 });
  const [s0, s1] = e.sequences;
  assert.equal(Array.from(s0!.tokens), [1, tok.id("▁It"), tok.id("▁was"), tok.id("▁terrible"), tok.id("▁movie")]);
  assert.equal(targetsOf(s0!), [[2, tok.id("▁terrible")], [3, tok.id("▁movie")]]);
  assert.equal(Array.from(s1!.tokens), [1, tok.id("▁d"), tok.id("▁It"), tok.id("▁was"), tok.id("▁great")]);
  assert.equal(e.dropped, [4, 3]);
  assert.equal(e.spanStart, [3, 4]);
  for (const s of e.sequences) assert.is(s.tokens.length, 5);
});
trunc("BOS alone before the candidate is allowed; a candidate longer than maxLength - 1 is a RangeError", () => {
  const tok = new FakeTokenizer(WORDS);
  const e = encodeExample(ex("a b", [" terrible movie", " c"]), tok, { maxLength: 3 });
  assert.equal(Array.from(e.sequences[0]!.tokens), [1, tok.id("▁terrible"), tok.id("▁movie")]);
  assert.equal(targetsOf(e.sequences[0]!), [[0, tok.id("▁terrible")], [1, tok.id("▁movie")]]);
  assert.throws(() => encodeExample(ex("a", [" terrible movie", " c"]), tok, { maxLength: 2 }), /candidate 0 is 2 tokens; with BOS it needs 3 > maxLength 2/);
  assert.throws(() => encodeExample(ex("a", [" b", " c"]), tok, { maxLength: 1 }), /maxLength must be an integer >= 2/);
});
trunc("the long field (the example's shorten range) is cut first, at a space, so the question stays", () => {
  const tok = new FakeTokenizer(WORDS);
  const long: Example = { ...ex("a b c d a b c d It was", [" great"]), shorten: { start: 0, end: 15 } };
  // BOS + 8 passage tokens + "It was" + " great" = 12 tokens; 8 fit when the passage keeps "a b c d".
  const e = encodeExample(long, tok, { maxLength: 8 });
  assert.is(e.example.prompt, "a b c d It was");
  assert.equal(e.example.shorten, { start: 0, end: 7 });
  assert.is(e.shortened, 8);
  assert.equal(e.dropped, [0]);
  assert.equal(Array.from(e.sequences[0]!.tokens), [1, ..."abcd".split("").map((c) => tok.id(`▁${c}`)), tok.id("▁It"), tok.id("▁was"), tok.id("▁great")]);
  // When even the whole passage is not enough, it goes, and the rest is cut from the left as before.
  const tight = encodeExample(long, tok, { maxLength: 3 });
  assert.is(tight.example.prompt, "It was");
  assert.is(tight.shortened, 15);
  assert.equal(Array.from(tight.sequences[0]!.tokens), [1, tok.id("▁was"), tok.id("▁great")]);
  assert.equal(tight.dropped, [1]);
  // A prompt that fits is left alone.
  const fits = encodeExample(long, tok, { maxLength: 12 });
  assert.equal([fits.example, fits.shortened, fits.dropped], [long, 0, [0]]);
});
trunc.run();

const scoring = suite("scoreEncoded()");
scoring("one score() call over all sequences, regrouped per example and candidate", async () => {
  const tok = new FakeTokenizer(WORDS);
  const encoded = [encodeExample(ex("a", [" b", " c", " d"]), tok, { maxLength: 8 }), encodeExample(ex("b", [" great", " terrible movie"]), tok, { maxLength: 8 })];
  let calls = 0;
  const got = await scoreEncoded(encoded, (seqs) => {
    calls++;
    // Fake log-probs: each target scores -(its position + 1).
    return Promise.resolve(seqs.map((s) => {
      let sum = 0, count = 0;
      s.targets.forEach((v, t) => {
        if (v >= 0) (sum -= t + 1), count++;
      });
      return { sum, count, mean: sum / count };
    }));
  });
  assert.is(calls, 1);
  assert.equal(got.map((g) => g.map((s) => s.count)), [[1, 1, 1], [1, 2]]);
  assert.equal(got[1]![1], { sum: -5, count: 2, mean: -2.5 });
  await scoreEncoded(encoded, () => Promise.resolve([])).then(() => assert.unreachable("should have thrown"), (e: Error) => assert.match(e.message, /returned 0 results for 5 sequences/));
});
scoring.run();
