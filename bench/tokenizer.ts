// Tokenizer throughput: ours (Wasm merge loop) against llama-tokenizer-js on the 32k Llama 2 vocabulary and
// against js-tiktoken on GPT-2, encoding the same corpus (SST-2, TREC, BoolQ passages, RTE premises).
// Usage: npm run bench -- tokenizer [--node] [passes]
import { join } from "node:path";
import process from "node:process";
import { getEncoding } from "js-tiktoken";
import llamaJs from "llama-tokenizer-js";
import { dataDir, readBytes } from "../src/io/files.ts";
import { HfTokenizer } from "../src/tokenizer/hf/tokenizer.ts";
import { Llama2cTokenizer } from "../src/tokenizer/llama2c.ts";
import { tokenizerCorpus } from "../test/fixtures/tokenizer_corpus.ts";
import { gpt2TokenizerJson } from "../test/fixtures/tokenizer_json.ts";

const passes = Number(process.argv.slice(2).find((a) => /^\d+$/.test(a)) ?? 3);
const corpus = tokenizerCorpus();
const chars = corpus.reduce((n, s) => n + s.length, 0);

/** Best-of-`passes` tokens per second of encoding the corpus (after one warm-up pass). */
function rate(encode: (s: string) => ArrayLike<number>): { tokS: number; tokens: number } {
  let tokens = 0;
  for (const s of corpus) tokens += encode(s).length;
  let best = Infinity;
  for (let p = 0; p < passes; p++) {
    const t0 = performance.now();
    for (const s of corpus) encode(s);
    best = Math.min(best, (performance.now() - t0) / 1000);
  }
  return { tokS: tokens / best, tokens };
}

const fmt = (x: number): string => `${(x / 1e6).toFixed(2)} M tok/s`;
console.log(`corpus: ${corpus.length} strings, ${chars} characters; best of ${passes} passes; ${typeof Deno !== "undefined" ? "Deno" : "Node"}`);

const llama = await Llama2cTokenizer.create(readBytes(join(dataDir(), "llama2-tokenizer/tokenizer.bin")));
const ours32k = rate((s) => llama.encode(s, { bos: true }));
const theirs32k = rate((s) => llamaJs.encode(s, true, true));
console.log(`llama2 32k: ours ${fmt(ours32k.tokS)}  llama-tokenizer-js ${fmt(theirs32k.tokS)}  ratio ${(ours32k.tokS / theirs32k.tokS).toFixed(2)}x  (${ours32k.tokens} tokens)`);

const gpt2 = await HfTokenizer.create(gpt2TokenizerJson());
const tiktoken = getEncoding("gpt2");
const oursG = rate((s) => gpt2.encode(s));
const theirsG = rate((s) => tiktoken.encode(s));
console.log(`gpt2:       ours ${fmt(oursG.tokS)}  js-tiktoken ${fmt(theirsG.tokS)}  ratio ${(oursG.tokS / theirsG.tokS).toFixed(2)}x  (${oursG.tokens} tokens)`);
