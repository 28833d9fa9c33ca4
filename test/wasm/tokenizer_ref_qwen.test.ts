// Qwen2.5 and Qwen3 tokenizer.json (NFC, byte-level BPE, split regex with (?i:...), single digits, non-special
// added tokens such as <think>) vs transformers.js, on every runtime.
import * as assert from "uvu/assert";
import { referenceSuite } from "../fixtures/hf_reference_suite.ts";

for (const name of ["qwen2_5", "qwen3"] as const) {
  await referenceSuite(name, (t, s) => {
    s("digits split one by one; <|im_start|> is one id; no BOS is defined by the post-processor", () => {
      assert.equal(Array.from(t.encode("2024"), (id) => t.idToPiece(id)), ["2", "0", "2", "4"]);
      assert.equal(Array.from(t.encode("<|im_start|>user")).slice(0, 1), [151644]);
      assert.is(t.eosId, 151643);
    });
  });
}
