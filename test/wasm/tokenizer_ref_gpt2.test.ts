// GPT-2's tokenizer.json (the pipeline SmolLM ships: ByteLevel pre-tokenizer with GPT-2's regex, no prefix
// space, ByteLevel decoder) vs transformers.js.
import { referenceSuite } from "../fixtures/hf_reference_suite.ts";

await referenceSuite("gpt2");
