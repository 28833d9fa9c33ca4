// A text longer than one encode call takes is a RangeError saying so (issue 14: a 50 MB single-line
// data file ended in "tokenizer Wasm aborted at 33:29"), for both tokenizer families; the tokenizer
// keeps working afterwards.
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { suite } from "uvu";
import * as assert from "uvu/assert";
import { dataDir } from "../../src/io/files.ts";
import { loadTokenizer } from "../../src/tokenizer/load.ts";
import { MAX_ENCODE_CHARS } from "../../src/tokenizer/wasm.ts";
import { llamaTokenizerJson } from "../fixtures/tokenizer_json.ts";

const bin = join(dataDir(), "stories260K", "tok512.bin");
const s = suite("tokenizer input limits");
for (const [name, load] of [
  ["llama2.c", () => loadTokenizer(new Uint8Array(readFileSync(bin)))],
  ["tokenizer.json", () => loadTokenizer(llamaTokenizerJson(bin, "metaspace"))],
] as const) {
  s(`${name}: a text over MAX_ENCODE_CHARS is refused with a RangeError, and the tokenizer still encodes`, async () => {
    const tok = await load();
    const huge = "ab ".repeat(Math.ceil((MAX_ENCODE_CHARS + 10) / 3));
    try {
      tok.encode(huge);
      assert.unreachable("must throw");
    } catch (e) {
      assert.instance(e, RangeError);
      assert.match((e as Error).message, `longer than the ${MAX_ENCODE_CHARS} one encode call takes`);
    }
    assert.ok(tok.encode("once upon a time").length > 0);
  });
}
s.run();
