// PEFT export of LoRA adapters: key names, shapes, adapter_config.json, and the RoPE row permutation of
// q/k adapters for llama2.c-layout models (the merged HF weight must equal HF(W) + (alpha/r) B_hf A).
import { suite } from "uvu";
import * as assert from "uvu/assert";
import { initHostLora } from "../../src/lora/lora.ts";
import { encodePeftFolder, mergeLora, peftConfigJson } from "../../src/lora/peft.ts";
import { canonicalTensors } from "../../src/model/canonical.ts";
import type { ModelConfig } from "../../src/model/config.ts";
import { withRopeLayout } from "../../src/model/convert.ts";
import { concatBytes, parseSafetensors } from "../../src/model/safetensors.ts";
import type { HostWeights } from "../../src/model/weights.ts";
import { rngFor } from "../harness/random.ts";

const config: ModelConfig = {
  arch: "llama", dim: 16, hiddenDim: 24, nLayers: 2, nHeads: 4, nKvHeads: 2, headDim: 4, vocabSize: 32, maxSeqLen: 16,
  ropeTheta: 10000, normEps: 1e-5, ropeLayout: "adjacent", tiedEmbeddings: true, attnBias: false, bosId: 1, eosId: 2,
};

const s = suite("encodePeftFolder()");
s("writes PEFT key names and shapes for every layer and target, and adapter_config.json", () => {
  const lora = initHostLora(config, { rank: 3, alpha: 6, targets: ["wq", "wv", "w2"], seed: 1 });
  const files = encodePeftFolder(config, lora, "stories-base");
  const cfg = JSON.parse(new TextDecoder().decode(files.get("adapter_config.json")![0]!));
  assert.is(cfg.peft_type, "LORA");
  assert.is(cfg.r, 3);
  assert.is(cfg.lora_alpha, 6);
  assert.equal(cfg.target_modules, ["q_proj", "v_proj", "down_proj"]);
  assert.is(cfg.base_model_name_or_path, "stories-base");
  const st = parseSafetensors(concatBytes(files.get("adapter_model.safetensors")!));
  const shapes = Object.fromEntries(st.tensors.map((t) => [t.name, t.shape]));
  assert.equal(shapes["base_model.model.model.layers.0.self_attn.q_proj.lora_A.weight"], [3, 16]);
  assert.equal(shapes["base_model.model.model.layers.0.self_attn.q_proj.lora_B.weight"], [16, 3]);
  assert.equal(shapes["base_model.model.model.layers.1.self_attn.v_proj.lora_B.weight"], [8, 3]);
  assert.equal(shapes["base_model.model.model.layers.1.mlp.down_proj.lora_A.weight"], [3, 24]);
  assert.is(st.tensors.length, 2 * 3 * 2);
  assert.equal(peftConfigJson(lora, "x").target_modules, ["q_proj", "v_proj", "down_proj"]);
});

s("q/k adapters of adjacent-layout models are exported with B's rows in HF order", () => {
  const rng = rngFor("peft-rope");
  const w: HostWeights = { config, tensors: canonicalTensors(config).map((t) => ({ name: t.name, shape: [...t.shape], data: rng.normals(t.shape.reduce((a, b) => a * b, 1), 0.1) })) };
  const lora = initHostLora(config, { rank: 2, alpha: 4, targets: ["wq", "wk"], seed: 2 });
  lora.b.forEach((b) => b.set(rng.normals(b.length)));
  const files = encodePeftFolder(config, lora, "base");
  const st = parseSafetensors(concatBytes(files.get("adapter_model.safetensors")!));
  const get = (n: string) => st.tensors.find((t) => t.name === n)!.data;
  // HF-layout merged wq must equal HF base wq + (alpha/r) B_hf A.
  const mergedHf = withRopeLayout(mergeLora(w, lora), "half");
  const baseHf = withRopeLayout(w, "half");
  for (const [name, proj, out] of [["layers.1.wq", "q_proj", 16], ["layers.0.wk", "k_proj", 8]] as const) {
    const l = name[7];
    const A = get(`base_model.model.model.layers.${l}.self_attn.${proj}.lora_A.weight`);
    const B = get(`base_model.model.model.layers.${l}.self_attn.${proj}.lora_B.weight`);
    const m = mergedHf.tensors.find((t) => t.name === name)!.data, b = baseHf.tensors.find((t) => t.name === name)!.data;
    let worst = 0;
    for (let i = 0; i < out; i++) {
      for (let j = 0; j < 16; j++) {
        const delta = 2 * (B[i * 2]! * A[j]! + B[i * 2 + 1]! * A[16 + j]!);
        worst = Math.max(worst, Math.abs(b[i * 16 + j]! + delta - m[i * 16 + j]!));
      }
    }
    assert.ok(worst < 1e-5, `${name}: HF merged differs from HF base + B_hf A by ${worst}`);
  }
  // Without the permutation the check above would fail: B's rows really move.
  const rawB = lora.b[2]!; // layers.1.wq
  const hfB = get("base_model.model.model.layers.1.self_attn.q_proj.lora_B.weight");
  assert.ok(rawB.some((x, i) => x !== hfB[i]), "B of wq must be permuted for an adjacent-layout model");
});
s.run();
