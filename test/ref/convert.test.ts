// llama2.c -> Hugging Face conversion: the wq/wk row permutation, config.json, atomic files, and the
// round trip proved with the reference forward (identical logits with ropeLayout "half").
import { mkdtempSync, readdirSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { suite } from "uvu";
import * as assert from "uvu/assert";
import { dataDir, readBytes } from "../../src/io/files.ts";
import { permuteRopeRows, withRopeLayout } from "../../src/model/convert.ts";
import { parseLlama2c } from "../../src/model/llama2c.ts";
import { loadModel, writeHfFolder } from "../../src/model/load.ts";
import type { HostWeights } from "../../src/model/weights.ts";
import { forwardRef } from "../../src/ref/forward.ts";
import { rngFor } from "../harness/random.ts";
import { randomWeights, tinyConfig } from "./hf_fixtures.ts";
import process from "node:process";

const root = mkdtempSync(join(tmpdir(), "mazo-convert-"));
const stories = parseLlama2c(readBytes(join(dataDir(), "stories260K", "stories260K.bin")));
const PROMPT = [1, 403, 407, 261, 378, 432, 383, 286, 261, 376, 298, 315, 421, 395, 317, 426];

function maxAbsDiff(a: Float32Array, b: Float32Array): number {
  assert.is(a.length, b.length);
  let m = 0;
  for (let i = 0; i < a.length; i++) m = Math.max(m, Math.abs(a[i]! - b[i]!));
  return m;
}

const p = suite("permuteRopeRows()");

p("moves adjacent pairs (2i, 2i+1) of each head to (i, i + hd/2)", () => {
  // 2 heads, hd 4, 2 columns; row r holds [10r, 10r + 1].
  const rows = Float32Array.from({ length: 16 }, (_, k) => 10 * Math.floor(k / 2) + (k % 2));
  const got = permuteRopeRows(rows, 2, 4, 2, "half");
  // head 0: rows 0,1,2,3 -> 0,2,1,3 ; head 1: rows 4,5,6,7 -> 4,6,5,7
  assert.equal(Array.from(got), [0, 1, 20, 21, 10, 11, 30, 31, 40, 41, 60, 61, 50, 51, 70, 71]);
  assert.equal(Array.from(permuteRopeRows(got, 2, 4, 2, "adjacent")), Array.from(rows));
  assert.throws(() => permuteRopeRows(rows, 2, 4, 3, "half"), /16 values, expected heads\*hd\*cols/);
});

p.run();

const r = suite("llama2.c -> Hugging Face round trip");

async function roundTrip(w: HostWeights, name: string): Promise<HostWeights> {
  const dir = join(root, name);
  writeHfFolder(dir, w);
  assert.equal(readdirSync(dir).sort(), ["config.json", "model.safetensors"], "no temporary files left behind");
  return (await loadModel(dir)).weights;
}

r("stories260K converts, loads back with ropeLayout half, and gives identical logits", async () => {
  const back = await roundTrip(stories, "stories");
  assert.is(back.config.ropeLayout, "half");
  assert.equal({ ...back.config, ropeLayout: "adjacent" }, stories.config);
  // Everything but wq and wk is bit-identical; wq and wk hold the same rows, permuted.
  back.tensors.forEach((t, i) => {
    const o = stories.tensors[i]!;
    if (/\.(wq|wk)$/.test(t.name)) assert.not.equal(Array.from(t.data), Array.from(o.data), t.name);
    else assert.equal(Array.from(t.data), Array.from(o.data), t.name);
  });
  const want = forwardRef(stories, PROMPT);
  const diff = maxAbsDiff(forwardRef(back, PROMPT), want);
  if (process.env.MAZO_TEST_VERBOSE === "1") console.log(`stories260K round trip: max |logit diff| ${diff.toExponential(3)}`);
  assert.ok(diff <= 1e-5, `max |diff| ${diff}`);
  // Without the permutation the logits are wrong: the test can fail.
  const unpermuted = { ...back, config: { ...back.config, ropeLayout: "adjacent" as const } };
  assert.ok(maxAbsDiff(forwardRef(unpermuted, PROMPT), want) > 1e-2, "ignoring the layout must change the logits");
});

r("config.json carries LlamaForCausalLM fields", () => {
  const j = JSON.parse(readFileSync(join(root, "stories", "config.json"), "utf8")) as Record<string, unknown>;
  assert.equal(
    [j.architectures, j.model_type, j.hidden_size, j.intermediate_size, j.num_hidden_layers, j.num_attention_heads, j.num_key_value_heads, j.vocab_size, j.max_position_embeddings, j.rms_norm_eps, j.rope_theta, j.tie_word_embeddings, j.hidden_act, j.bos_token_id, j.eos_token_id],
    [["LlamaForCausalLM"], "llama", 64, 172, 5, 8, 4, 512, 512, 1e-5, 10000, true, "silu", 1, 2],
  );
});

r("a random GQA model with biases and an untied classifier round-trips to identical logits", async () => {
  const w = randomWeights(tinyConfig({ ropeLayout: "adjacent", attnBias: true, tiedEmbeddings: false, nHeads: 4, nKvHeads: 2, headDim: 8, dim: 24 }), rngFor("convert gqa bias"));
  const back = await roundTrip(w, "gqa");
  const toks = [1, 5, 9, 30, 2, 17, 11];
  const diff = maxAbsDiff(forwardRef(back, toks), forwardRef(w, toks));
  assert.ok(diff <= 1e-5, `max |diff| ${diff}`);
  // And converting back to the adjacent layout restores the original tensors exactly.
  const again = withRopeLayout(back, "adjacent");
  again.tensors.forEach((t, i) => assert.equal(Array.from(t.data), Array.from(w.tensors[i]!.data), t.name));
});

r("writing over an existing folder replaces the files", async () => {
  const w = randomWeights(tinyConfig({ ropeLayout: "adjacent" }), rngFor("convert overwrite a"));
  const w2 = randomWeights(tinyConfig({ ropeLayout: "adjacent" }), rngFor("convert overwrite b"));
  await roundTrip(w, "over");
  const back = await roundTrip(w2, "over");
  assert.equal(Array.from(withRopeLayout(back, "adjacent").tensors[1]!.data), Array.from(w2.tensors[1]!.data));
});

r.after(() => rmSync(root, { recursive: true, force: true }));
r.run();
