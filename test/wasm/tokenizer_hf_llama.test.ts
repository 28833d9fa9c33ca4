// The SentencePiece-style tokenizer.json pipeline (Llama/Mistral): a tokenizer.json derived at test time
// from the 32k llama2.c tokenizer.bin must give the same ids as the llama2.c path (itself checked against
// llama-tokenizer-js), in both front ends: Prepend+Replace normalizer, and Metaspace pre-tokenizer.
// Plus: added tokens, decoders, and unknown stage types.
import { join } from "node:path";
import { suite } from "uvu";
import * as assert from "uvu/assert";
import { dataDir } from "../../src/io/files.ts";
import { readBytes } from "../../src/io/files.ts";
import { HfTokenizer } from "../../src/tokenizer/hf/tokenizer.ts";
import { Llama2cTokenizer } from "../../src/tokenizer/llama2c.ts";
import { rngFor } from "../harness/random.ts";
import { assertRoundTrip, assertSameIds, randomTexts } from "../fixtures/tokenizer_compare.ts";
import { EDGE_CASES, tokenizerCorpus } from "../fixtures/tokenizer_corpus.ts";
import { gpt2TokenizerJson, llamaTokenizerJson } from "../fixtures/tokenizer_json.ts";

const bin = join(dataDir(), "llama2-tokenizer/tokenizer.bin");
const llama2c = await Llama2cTokenizer.create(readBytes(bin));
const viaNormalizer = await HfTokenizer.create(llamaTokenizerJson(bin, "normalizer"));
const viaMetaspace = await HfTokenizer.create(llamaTokenizerJson(bin, "metaspace"));
// Added-token text ("<s>", "</s>", "<unk>") is split out by tokenizer.json but is plain text to run.c.
const noAdded = (s: string): boolean => !/<s>|<\/s>|<unk>/.test(s);
const texts = [...tokenizerCorpus(300), ...EDGE_CASES, ...randomTexts(rngFor("hf llama"), 300, 40)].filter(noAdded);
const ref = (s: string): Int32Array => llama2c.encode(s, { bos: true });

const norm = suite("tokenizer.json Llama pipeline (Prepend + Replace normalizer, BPE byte_fallback)");

norm("encode() equals the llama2.c tokenizer on dataset, edge and random strings", () => {
  assert.ok(texts.length > 1000);
  assertSameIds("normalizer pipeline", texts, (s) => viaNormalizer.encode(s, { bos: true }), ref);
});

norm("decoders Replace, ByteFallback, Fuse, Strip give decode(encode(s)) == s", () => {
  assertRoundTrip("normalizer pipeline", texts, (s) => viaNormalizer.decode(viaNormalizer.encode(s, { bos: true })));
});

norm("added tokens are split out before normalization; special ones are skipped by decode", () => {
  const ids = Array.from(viaNormalizer.encode("<s>hi</s>"));
  assert.equal(ids, [1, ...Array.from(viaNormalizer.encode("hi")), 2]);
  assert.is(viaNormalizer.decode(ids), "hi");
  assert.is(viaNormalizer.bosId, 1);
  assert.is(viaNormalizer.eosId, 2);
});

norm.run();

const meta = suite("tokenizer.json Llama pipeline (Metaspace pre-tokenizer, prepend_scheme first)");

meta("encode() equals the llama2.c tokenizer on strings that do not start with a space", () => {
  const t = texts.filter((s) => !s.startsWith(" "));
  assertSameIds("metaspace pipeline", t, (s) => viaMetaspace.encode(s, { bos: true }), ref);
  assertRoundTrip("metaspace pipeline", t, (s) => viaMetaspace.decode(viaMetaspace.encode(s, { bos: true })));
});

meta("a leading space is not doubled, as Hugging Face Metaspace does (unlike SentencePiece)", () => {
  assert.equal(Array.from(viaMetaspace.encode(" x")), Array.from(viaMetaspace.encode("x")));
  assert.not.equal(Array.from(llama2c.encode(" x")), Array.from(llama2c.encode("x")));
});

meta.run();

const stages = suite("tokenizer.json stage factories");

function withStage(key: string, value: unknown): object {
  return { ...gpt2TokenizerJson(), [key]: value };
}

stages("unknown stage types throw an Error naming the stage and the type", async () => {
  const cases: [string, unknown, RegExp][] = [
    ["normalizer", { type: "BertNormalizer" }, /normalizer type "BertNormalizer"/],
    ["pre_tokenizer", { type: "Whitespace" }, /pre_tokenizer type "Whitespace"/],
    ["decoder", { type: "WordPiece" }, /decoder type "WordPiece"/],
    ["model", { type: "Unigram", vocab: [] }, /model type "Unigram"/],
    ["post_processor", { type: "BertProcessing" }, /post_processor type "BertProcessing"/],
    ["normalizer", { type: "Sequence", normalizers: [{ type: "NFC" }, { type: "Nmt" }] }, /normalizer type "Nmt"/],
  ];
  for (const [key, value, re] of cases) {
    try {
      await HfTokenizer.create(withStage(key, value));
      assert.unreachable(`${key} ${JSON.stringify(value)} was accepted`);
    } catch (e) {
      assert.instance(e, Error);
      assert.match((e as Error).message, re);
    }
  }
});

stages("a merge naming a missing piece throws RangeError with its index", async () => {
  const j = gpt2TokenizerJson() as { model: { merges: string[] } };
  j.model.merges = ["Ġ t", "zzqq xxyy"];
  try {
    await HfTokenizer.create(j);
    assert.unreachable("bad merge accepted");
  } catch (e) {
    assert.instance(e, RangeError);
    assert.match((e as Error).message, /merges\[1\]/);
  }
});

stages("BPE with unk_token and fuse_unk maps a run of unknown characters to one unk", async () => {
  const json = {
    normalizer: null,
    pre_tokenizer: null,
    decoder: null,
    added_tokens: [],
    model: { type: "BPE", unk_token: "<unk>", fuse_unk: true, byte_fallback: false, vocab: { "<unk>": 0, a: 1, b: 2, ab: 3 }, merges: ["a b"] },
  };
  const t = await HfTokenizer.create(json);
  assert.equal(Array.from(t.encode("abxyzab")), [3, 0, 3]);
  const unfused = await HfTokenizer.create({ ...json, model: { ...json.model, fuse_unk: false } });
  assert.equal(Array.from(unfused.encode("abxyzab")), [3, 0, 0, 0, 3]);
});

stages.run();
