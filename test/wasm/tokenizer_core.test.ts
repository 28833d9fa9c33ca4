// The Wasm tokenizer core (assembly/tokenizer) through BpeCore: its exported ABI, merge order (priority,
// then leftmost), byte-level and byte-fallback symbols, buffer growth, and the llama2.c path against a
// plain TypeScript port of run.c encode() on random strings.
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { suite } from "uvu";
import * as assert from "uvu/assert";
import { WASM } from "../../src/gen/wasm.ts";
import { dataDir } from "../../src/io/files.ts";
import { Llama2cTokenizer, parseLlama2cVocab } from "../../src/tokenizer/llama2c.ts";
import { BpeCore, FLAG_BYTE_FALLBACK, FLAG_BYTE_LEVEL, FLAG_FUSE_UNK, FLAG_IGNORE_MERGES } from "../../src/tokenizer/wasm.ts";
import { rngFor } from "../harness/random.ts";
import { assertSameIds, randomTexts } from "../fixtures/tokenizer_compare.ts";

const enc = new TextEncoder();
const core = suite("tokenizer Wasm core");

core("exports the ABI BpeCore binds, with the same flag values", async () => {
  const b64 = WASM.tokenizer;
  assert.type(b64, "string");
  const bin = Uint8Array.from(atob(b64!), (c) => c.charCodeAt(0));
  const inst = await WebAssembly.instantiate(bin, { env: { abort: () => {} } });
  const x = inst.instance.exports;
  for (const f of ["vocabAlloc", "vocabOffsets", "vocabBuild", "vocabLookup", "pairsAlloc", "pairAdd", "pairsFromSplits", "inputReserve", "wordsReserve", "outputPtr", "byteTable", "setUnk", "encode"]) {
    assert.type(x[f], "function", f);
  }
  assert.instance(x.memory, WebAssembly.Memory);
  const flag = (n: string): number => (x[n] as WebAssembly.Global).value as number;
  assert.is(flag("FLAG_BYTE_LEVEL"), FLAG_BYTE_LEVEL);
  assert.is(flag("FLAG_FUSE_UNK"), FLAG_FUSE_UNK);
  assert.is(flag("FLAG_BYTE_FALLBACK"), FLAG_BYTE_FALLBACK);
  assert.is(flag("FLAG_IGNORE_MERGES"), FLAG_IGNORE_MERGES);
});

async function tiny(pieces: string[], merges: [string, string][]): Promise<BpeCore> {
  const c = await BpeCore.create(pieces.map((p) => enc.encode(p)));
  const id = (s: string): number => pieces.indexOf(s);
  c.mergesFromRanks(Int32Array.from(merges, (m) => id(m[0])), Int32Array.from(merges, (m) => id(m[1])), Int32Array.from(merges, (m) => id(m[0] + m[1])));
  c.configure(new Int32Array(256).fill(-1), -1, 0);
  return c;
}

core("the lowest-rank pair merges first, and equal pairs merge leftmost first", async () => {
  const c = await tiny(["a", "b", "c", "ab", "bc", "aa"], [["b", "c"], ["a", "b"], ["a", "a"]]);
  assert.equal(Array.from(c.encodeWords(["abc"])), [0, 4]); // (b,c) outranks (a,b)
  assert.equal(Array.from(c.encodeWords(["aaa"])), [5, 0]); // leftmost (a,a) first
  assert.equal(Array.from(c.encodeWords(["ab", "c"])), [3, 2]); // no merge across words
  assert.equal(c.lookup("bc"), 4);
  assert.equal(c.lookup("zz"), -1);
});

core("byte-level mode maps each byte through the byte table; byte fallback splits unknown characters", async () => {
  const c = await tiny(["x", "y", "xy", "<0xC3>", "<0xA9>"], [["x", "y"]]);
  const table = new Int32Array(256).fill(-1);
  table[0x78] = 0;
  table[0x79] = 1;
  c.configure(table, -1, FLAG_BYTE_LEVEL);
  assert.equal(Array.from(c.encodeWords(["xyx"])), [2, 0]);
  table[0xc3] = 3;
  table[0xa9] = 4;
  c.configure(table, -1, FLAG_BYTE_FALLBACK);
  assert.equal(Array.from(c.encodeWords(["xé"])), [0, 3, 4]);
  c.configure(new Int32Array(256).fill(-1), 2, FLAG_FUSE_UNK);
  assert.equal(Array.from(c.encodeWords(["éé x"])), [2, 0]); // "éé " fused into one unk (id 2)
});

core("ignore_merges: a word that is a token stays whole even where the merge order would split it", async () => {
  // merges a+b first, so "abc" -> ab c; with ignore_merges the whole word "abc" (id 5) wins
  const c = await tiny(["a", "b", "c", "ab", "bc", "abc"], [["a", "b"], ["b", "c"]]);
  assert.equal(Array.from(c.encodeWords(["abc", "bca"])), [3, 2, 4, 0]);
  c.configure(new Int32Array(256).fill(-1), -1, FLAG_IGNORE_MERGES);
  assert.equal(Array.from(c.encodeWords(["abc", "bca"])), [5, 4, 0]);
});

core("encodes inputs far larger than the initial buffers", async () => {
  const c = await tiny(["a", "b", "ab"], [["a", "b"]]);
  const ids = c.encodeWords(["ab".repeat(100000)]);
  assert.is(ids.length, 100000);
  assert.ok(ids.every((i) => i === 2));
});

core.run();

// run.c encode() as written: rescan all adjacent pairs each step, concatenate strings, look them up.
function runCEncode(pieces: string[], scores: Float32Array, text: string, bos: boolean): number[] {
  const lookup = new Map<string, number>();
  pieces.forEach((p, i) => { if (!lookup.has(p)) lookup.set(p, i); });
  const tokens: number[] = bos ? [1] : [];
  if (text.length > 0) tokens.push(lookup.get(" ")!);
  for (const ch of text) {
    const id = lookup.get(ch);
    if (id !== undefined) tokens.push(id);
    else for (const b of enc.encode(ch)) tokens.push(b + 3);
  }
  for (;;) {
    let best = Math.fround(-1e10), bestId = -1, bestIdx = -1;
    for (let i = 0; i + 1 < tokens.length; i++) {
      const id = lookup.get(pieces[tokens[i]!]! + pieces[tokens[i + 1]!]!);
      if (id !== undefined && scores[id]! > best) {
        best = scores[id]!;
        bestId = id;
        bestIdx = i;
      }
    }
    if (bestIdx < 0) break;
    tokens.splice(bestIdx, 2, bestId);
  }
  return tokens;
}

const port = suite("llama2.c encode vs a plain port of run.c");

port("tok512.bin matches the run.c port on 300 random strings and one 1,500-character text", async () => {
  const bytes = new Uint8Array(readFileSync(join(dataDir(), "stories260K/tok512.bin")));
  const v = parseLlama2cVocab(bytes);
  const dec = new TextDecoder("utf-8", { ignoreBOM: true });
  const pieces = v.pieces.map((p) => dec.decode(p));
  const t = await Llama2cTokenizer.create(bytes);
  const texts = randomTexts(rngFor("run.c port"), 300, 30);
  texts.push("Once upon a time, there was a little girl named Lily. ".repeat(28));
  assertSameIds("tok512 vs run.c port", texts, (s) => t.encode(s, { bos: true }), (s) => runCEncode(pieces, v.scores, s, true));
});

port.run();
