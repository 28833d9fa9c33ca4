// Llama 3 and Llama 3.2 tokenizer.json (byte-level BPE, own split regex with (?i:...), ignore_merges) vs
// transformers.js, on every runtime (Node 20 cannot compile the pattern as written: it is rewritten).
import * as assert from "uvu/assert";
import { referenceSuite } from "../fixtures/hf_reference_suite.ts";

for (const name of ["llama3", "llama3_2"] as const) {
  await referenceSuite(name, (t, s) => {
    s("<|begin_of_text|> is BOS, <|end_of_text|> EOS; contractions split in any case; digits in threes", () => {
      assert.is(t.bosId, 128000);
      assert.is(t.eosId, 128001);
      const pieces = (x: string): string[] => Array.from(t.encode(x), (id) => t.idToPiece(id));
      assert.equal(pieces("IT'S"), ["IT", "'S"]);
      assert.equal(pieces("we'Ll"), ["we", "'L", "l"]);
      assert.equal(pieces("1234567"), ["123", "456", "7"]);
    });
  });
}
