// SentencePiece-style tokenizer.json files vs transformers.js: Llama 2 (also TinyLlama's), Mistral-7B-v0.1
// (Prepend + Replace normalizer, BPE with byte fallback and fused unk), and the Metaspace layout of newer
// Mistral releases (prepend_scheme "first", split false).
import * as assert from "uvu/assert";
import { referenceSuite } from "../fixtures/hf_reference_suite.ts";

for (const name of ["llama2", "mistral", "mistral_metaspace"] as const) {
  await referenceSuite(name, (t, s) => {
    s("<s> is BOS and </s> EOS; characters outside the vocabulary fall back to byte tokens", () => {
      assert.is(t.bosId, 1);
      assert.is(t.eosId, 2);
      const ids = Array.from(t.encode("\u{1F9EC}"), (id) => t.idToPiece(id));
      assert.ok(ids.some((p) => /^<0x[0-9A-F]{2}>$/.test(p)), ids.join(" "));
    });
  });
}
