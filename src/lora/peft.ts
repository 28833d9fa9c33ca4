/**
 * Export of LoRA adapters: the Hugging Face PEFT folder (adapter_config.json, adapter_model.safetensors
 * with PEFT key names) and merged weights W + (alpha/r) B A. Pure functions over bytes and host arrays.
 *
 * RoPE layout: a llama2.c-layout model (adjacent RoPE pairs) is exported to Hugging Face with the rows of
 * wq and wk permuted head by head (src/model/convert.ts). The update B A lives in the same row space as
 * W, so B's rows of q/k adapters are permuted the same way; A (input side) is unchanged.
 */
import { canonicalToHfName } from "../model/hf.ts";
import type { ModelConfig } from "../model/config.ts";
import { permuteRopeRows } from "../model/convert.ts";
import { encodeSafetensors } from "../model/safetensors.ts";
import type { HostTensor, HostWeights } from "../model/weights.ts";
import type { HostLora } from "./lora.ts";

/** PEFT's module name of a canonical target. */
export const PEFT_MODULE: Readonly<Record<string, string>> = { wq: "q_proj", wk: "k_proj", wv: "v_proj", wo: "o_proj", w1: "gate_proj", w2: "down_proj", w3: "up_proj" };

/** The PEFT key prefix of an adapted weight, e.g. "base_model.model.model.layers.0.self_attn.q_proj". */
export function peftPrefix(weight: string): string {
  return "base_model.model." + canonicalToHfName(weight).replace(/\.weight$/, "");
}

/** adapter_config.json's object. */
export function peftConfigJson(lora: HostLora, baseModel: string): Record<string, unknown> {
  return {
    peft_type: "LORA",
    task_type: "CAUSAL_LM",
    base_model_name_or_path: baseModel,
    r: lora.config.rank,
    lora_alpha: lora.config.alpha,
    lora_dropout: 0,
    bias: "none",
    fan_in_fan_out: false,
    inference_mode: true,
    init_lora_weights: true,
    target_modules: lora.config.targets.map((t) => PEFT_MODULE[t]!),
  };
}

/** B in the Hugging Face row layout (q/k rows permuted for adjacent-layout models). */
function bForHf(model: ModelConfig, lora: HostLora, k: number): Float32Array {
  const e = lora.entries[k]!;
  const b = lora.b[k]!;
  if (model.ropeLayout === "half" || (e.target !== "wq" && e.target !== "wk")) return b;
  return permuteRopeRows(b, e.target === "wq" ? model.nHeads : model.nKvHeads, model.headDim, lora.config.rank, "half");
}

/** The adapter tensors under PEFT key names (HF layout). */
export function peftTensors(model: ModelConfig, lora: HostLora): HostTensor[] {
  const r = lora.config.rank;
  return lora.entries.flatMap((e, k) => [
    { name: `${peftPrefix(e.weight)}.lora_A.weight`, shape: [r, e.inDim], data: lora.a[k]! },
    { name: `${peftPrefix(e.weight)}.lora_B.weight`, shape: [e.outDim, r], data: bForHf(model, lora, k) },
  ]);
}

/** The files of a PEFT adapter folder, as byte parts. */
export function encodePeftFolder(model: ModelConfig, lora: HostLora, baseModel: string): Map<string, Uint8Array[]> {
  const config = JSON.stringify(peftConfigJson(lora, baseModel), null, 2) + "\n";
  return new Map([
    ["adapter_config.json", [new TextEncoder().encode(config)]],
    ["adapter_model.safetensors", encodeSafetensors(peftTensors(model, lora), { format: "pt" })],
  ]);
}

/** Weights with every adapted W replaced by W + (alpha/r) B A (float64 sums, stored as f32); others shared. */
export function mergeLora(w: HostWeights, lora: HostLora): HostWeights {
  const r = lora.config.rank, scale = lora.config.alpha / lora.config.rank;
  const byWeight = new Map(lora.entries.map((e, k) => [e.weight, k]));
  const tensors = w.tensors.map((t): HostTensor => {
    const k = byWeight.get(t.name);
    if (k === undefined) return t;
    const e = lora.entries[k]!, A = lora.a[k]!, B = lora.b[k]!;
    if (t.shape[0] !== e.outDim || t.shape[1] !== e.inDim) throw new RangeError(`mergeLora: ${t.name} is [${t.shape.join(", ")}], the adapter expects [${e.outDim}, ${e.inDim}]`);
    const out = new Float32Array(t.data.length);
    for (let i = 0; i < e.outDim; i++) {
      for (let j = 0; j < e.inDim; j++) {
        let s = 0;
        for (let q = 0; q < r; q++) s += B[i * r + q]! * A[q * e.inDim + j]!;
        out[i * e.inDim + j] = t.data[i * e.inDim + j]! + scale * s;
      }
    }
    return { name: t.name, shape: [...t.shape], data: out };
  });
  return { config: { ...w.config }, tensors };
}
