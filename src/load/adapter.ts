/**
 * Reading and applying LoRA adapters: a PEFT adapter folder (adapter_config.json,
 * adapter_model.safetensors), as written by `fineTune` with lora-mezo / lora-mazo and by `replay`, is
 * decoded into adapter matrices in the base model's row layout; `applyAdapter` merges them into the
 * base weights (W + (alpha / r) B A), giving plain weights to evaluate, generate with or save.
 */
import type { HostLora, LoraConfig, LoraTarget } from "../lora/lora.ts";
import { loraEntries } from "../lora/lora.ts";
import { mergeLora, PEFT_MODULE, peftPrefix } from "../lora/peft.ts";
import type { ModelConfig } from "../model/config.ts";
import { permuteRopeRows } from "../model/convert.ts";
import type { FileSource } from "../model/hf.ts";
import { parseSafetensors } from "../model/safetensors.ts";
import type { HostWeights } from "../model/weights.ts";
import { folderSourceOf, type Location, type LocationOptions, resolveLocation } from "./location.ts";

/**
 * Decodes a PEFT adapter from its two files' contents for a model with `model`'s config (rows of wq/wk
 * permuted back to a llama2.c model's layout). `label` names the folder in errors.
 */
export function parsePeftAdapter(configJson: string, safetensors: Uint8Array, model: ModelConfig, label = "adapter"): HostLora {
  let cfgJson: { r?: unknown; lora_alpha?: unknown; target_modules?: unknown };
  try {
    cfgJson = JSON.parse(configJson);
  } catch (e) {
    throw new TypeError(`${label}/adapter_config.json: not JSON (${(e as Error).message})`);
  }
  const byModule = new Map(Object.entries(PEFT_MODULE).map(([t, m]) => [m, t as LoraTarget]));
  if (!Array.isArray(cfgJson.target_modules)) throw new RangeError(`${label}/adapter_config.json: target_modules must be a list`);
  const targets = cfgJson.target_modules.map((m) => {
    const t = byModule.get(String(m));
    if (t === undefined) throw new RangeError(`${label}/adapter_config.json: unknown target module ${JSON.stringify(m)}; known: ${[...byModule.keys()].join(", ")}`);
    return t;
  });
  const config: LoraConfig = { rank: Number(cfgJson.r), alpha: Number(cfgJson.lora_alpha), targets, seed: 0 };
  const entries = loraEntries(model, config);
  const tensors = new Map(parseSafetensors(safetensors, `${label}/adapter_model.safetensors`).tensors.map((t) => [t.name, t]));
  const r = config.rank;
  const get = (name: string, shape: readonly number[]): Float32Array => {
    const t = tensors.get(name);
    if (t === undefined) throw new RangeError(`${label}/adapter_model.safetensors has no tensor ${name}`);
    if (t.shape.join(",") !== shape.join(",")) throw new RangeError(`${label}: ${name} is [${t.shape.join(", ")}]; the model needs [${shape.join(", ")}]`);
    return t.data;
  };
  const a = entries.map((e) => get(`${peftPrefix(e.weight)}.lora_A.weight`, [r, e.inDim]));
  const b = entries.map((e) => {
    const hf = get(`${peftPrefix(e.weight)}.lora_B.weight`, [e.outDim, r]);
    if (model.ropeLayout === "half" || (e.target !== "wq" && e.target !== "wk")) return hf;
    return permuteRopeRows(hf, e.target === "wq" ? model.nHeads : model.nKvHeads, model.headDim, r, "adjacent");
  });
  return { config, entries, a, b };
}

async function readWhole(src: FileSource, name: string): Promise<Uint8Array> {
  if (!(await src.exists(name))) throw new RangeError(`${src.label}: no ${name} (expected a PEFT adapter folder)`);
  return await src.read(name, 0, await src.size(name));
}

/**
 * Loads a PEFT LoRA adapter folder (path, URL or FileSource) for the base model whose config is `model`
 * (a HostModel or its `config`).
 */
export async function loadAdapter(input: Location | FileSource, model: ModelConfig | { readonly config: ModelConfig }, options: LocationOptions = {}): Promise<HostLora> {
  const src = typeof input === "string" || input instanceof URL ? folderSourceOf(resolveLocation(input), options) : input;
  const config = "config" in model ? model.config : model;
  const cfgText = new TextDecoder().decode(await readWhole(src, "adapter_config.json"));
  return parsePeftAdapter(cfgText, await readWhole(src, "adapter_model.safetensors"), config, src.label);
}

/**
 * The base weights with a LoRA adapter merged in: W + (alpha / r) B A for every adapted matrix (new
 * arrays; `base` is not modified). The adapter must have been made for this model (shapes checked).
 */
export function applyAdapter(base: HostWeights, adapter: HostLora): HostWeights {
  return mergeLora(base, adapter);
}
