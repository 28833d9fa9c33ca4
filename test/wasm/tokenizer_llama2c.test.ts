// llama2.c tokenizer files: tok512.bin against golden.json (run.c encodings), the 32k Llama 2 tokenizer.bin
// against llama-tokenizer-js on >5,000 dataset strings, edge cases and random strings, decode round trips,
// and run.c's decode rules.
import { readFileSync } from "node:fs";
import { join } from "node:path";
import llamaJs from "llama-tokenizer-js";
import { suite } from "uvu";
import * as assert from "uvu/assert";
import { dataDir } from "../../src/io/files.ts";
import { Llama2cTokenizer, parseLlama2cVocab } from "../../src/tokenizer/llama2c.ts";
import { rngFor } from "../harness/random.ts";
import { assertRoundTrip, assertSameIds, randomTexts } from "../fixtures/tokenizer_compare.ts";
import { EDGE_CASES, tokenizerCorpus } from "../fixtures/tokenizer_corpus.ts";

const bytesOf = (p: string): Uint8Array => new Uint8Array(readFileSync(join(dataDir(), p)));
const tok512 = await Llama2cTokenizer.create(bytesOf("stories260K/tok512.bin"));
const llama32k = await Llama2cTokenizer.create(bytesOf("llama2-tokenizer/tokenizer.bin"));

const small = suite("llama2.c tok512.bin");

small("encode() reproduces every run.c encoding in golden.json", () => {
  const golden = JSON.parse(readFileSync(join(dataDir(), "stories260K/golden.json"), "utf8")) as { encode: { text: string; ids_with_bos: number[] }[]; teacher_forced_nll: { text: string; ids_with_bos: number[] } };
  const cases = [...golden.encode, golden.teacher_forced_nll];
  assert.ok(cases.length >= 6);
  for (const c of cases) assert.equal(Array.from(tok512.encode(c.text, { bos: true })), c.ids_with_bos, c.text);
});

small("decode() returns each golden text exactly", () => {
  const golden = JSON.parse(readFileSync(join(dataDir(), "stories260K/golden.json"), "utf8")) as { encode: { text: string; ids_with_bos: number[] }[] };
  for (const c of golden.encode) assert.is(tok512.decode(c.ids_with_bos), c.text);
});

small("vocabSize, bosId and eosId follow the file and run.c", () => {
  assert.is(tok512.vocabSize, 512);
  assert.is(tok512.bosId, 1);
  assert.is(tok512.eosId, 2);
  assert.is(tok512.idToPiece(3 + 0x41), "<0x41>");
});

small("bos and eos options add ids 1 and 2; the empty string gets no dummy prefix", () => {
  assert.equal(Array.from(tok512.encode("")), []);
  assert.equal(Array.from(tok512.encode("", { bos: true, eos: true })), [1, 2]);
  const plain = Array.from(tok512.encode("Once upon a time"));
  assert.equal(Array.from(tok512.encode("Once upon a time", { bos: true, eos: true })), [1, ...plain, 2]);
  assert.equal(plain, [403, 407, 261, 378]);
});

small("decodePiece() drops a leading space after BOS and turns <0xNN> into the byte, as run.c decode()", () => {
  const once = tok512.encode("Once")[0]!;
  assert.is(tok512.idToPiece(once)[0], " ");
  assert.equal(Array.from(tok512.decodePiece(1, once)), Array.from(new TextEncoder().encode(tok512.idToPiece(once).slice(1))));
  assert.equal(Array.from(tok512.decodePiece(5, once)), Array.from(new TextEncoder().encode(tok512.idToPiece(once))));
  assert.equal(Array.from(tok512.decodePiece(1, 3 + 0xe2)), [0xe2]);
});

small("ids out of range throw RangeError", () => {
  assert.throws(() => tok512.idToPiece(512), RangeError);
  assert.throws(() => tok512.decode([1, -1]), RangeError);
  assert.throws(() => tok512.decodePiece(1, 1.5), RangeError);
});

small("a truncated tokenizer file throws RangeError naming the token", () => {
  const b = bytesOf("stories260K/tok512.bin");
  assert.throws(() => parseLlama2cVocab(b.subarray(0, 1000)), (e: unknown) => e instanceof RangeError && /token \d+/.test(e.message));
  assert.throws(() => parseLlama2cVocab(b.subarray(0, 2)), RangeError);
});

small.run();

const big = suite("llama2.c tokenizer.bin (32k) vs llama-tokenizer-js");
// llama-tokenizer-js always prepends BOS and the dummy-prefix space and returns [] for "", where run.c
// (and ours with bos: true) gives [1].
const ref = (s: string): number[] => (s === "" ? [1] : llamaJs.encode(s, true, true));

big("encode() equals llama-tokenizer-js on >= 5,000 dataset strings", () => {
  const corpus = tokenizerCorpus();
  assert.ok(corpus.length >= 5000, `corpus has ${corpus.length} strings`);
  assertSameIds("llama2.c 32k vs llama-tokenizer-js", corpus, (s) => llama32k.encode(s, { bos: true }), ref);
});

big("encode() equals llama-tokenizer-js on edge cases", () => {
  assertSameIds("edge cases", EDGE_CASES, (s) => llama32k.encode(s, { bos: true }), ref);
});

big("encode() equals llama-tokenizer-js on 300 random strings", () => {
  assertSameIds("random", randomTexts(rngFor("llama2c random"), 300, 40), (s) => llama32k.encode(s, { bos: true }), ref);
});

big("encode() reproduces encode_cases.json", () => {
  const cases = (JSON.parse(readFileSync(join(dataDir(), "llama2-tokenizer/encode_cases.json"), "utf8")) as { cases: { text: string; ids_with_bos: number[] }[] }).cases;
  for (const c of cases) assert.equal(Array.from(llama32k.encode(c.text, { bos: true })), c.ids_with_bos, c.text);
});

big("decode(encode(s)) == s on the corpus, edge cases and random strings", () => {
  const texts = [...tokenizerCorpus(200), ...EDGE_CASES, ...randomTexts(rngFor("llama2c roundtrip"), 200, 40)];
  assertRoundTrip("llama2.c 32k with BOS", texts, (s) => llama32k.decode(llama32k.encode(s, { bos: true, eos: true })));
  assertRoundTrip("llama2.c 32k without BOS", texts, (s) => llama32k.decode(llama32k.encode(s)));
});

big("a literal U+2581 is byte fallback as in run.c (llama-tokenizer-js reads it as a space)", () => {
  assert.equal(Array.from(llama32k.encode("\u2581")), [29871, 3 + 0xe2, 3 + 0x96, 3 + 0x81]);
  assert.is(llama32k.decode(llama32k.encode("\u2581x")), "\u2581x");
});

big.run();
