/**
 * Reading what `mazo train --tasks` left in a run folder: the run's settings (config.json), its trajectory
 * header (base model, RoPE layout, LoRA config) and its final weights: model/ (a Hugging Face folder,
 * brought back to the base model's RoPE layout so the forward pass is the one the run evaluated) or
 * adapter/ (a PEFT folder, decoded into adapter matrices in the base model's row layout).
 */
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { isDirectory, isFile, readBytes } from "../io/files.ts";
import { parseJsonText } from "../io/json.ts";
import { parsePeftAdapter } from "../load/adapter.ts";
import type { HostLora } from "../lora/lora.ts";
import type { ModelConfig } from "../model/config.ts";
import { withRopeLayout } from "../model/convert.ts";
import type { HostWeights } from "../model/weights.ts";
import type { TrajectoryHeader } from "../zo/trajectory.ts";
import type { OptionValues } from "./command.ts";
import { UsageError } from "./command.ts";

/** What a run folder says about its run. */
export interface RunFolder {
  readonly dir: string;
  readonly method: string;
  /** The option values the run was started with (config.json "options"). */
  readonly options: OptionValues;
  /** The base model the run trained from, and its tokenizer. */
  readonly baseModel: string;
  readonly tokenizer: string | null;
  /** The trajectory header (first line of trajectory.jsonl). */
  readonly header: TrajectoryHeader;
  /** Whether the final weights are an adapter (adapter/) rather than a model (model/). */
  readonly isLora: boolean;
}

/** Reads config.json and the trajectory header of a run folder (UsageError when it is not one). */
export function readRunFolder(dir: string): RunFolder {
  const cfgPath = join(dir, "config.json");
  const trajPath = join(dir, "trajectory.jsonl");
  if (!isFile(cfgPath) || !isFile(trajPath)) throw new UsageError(`--run ${dir}: expected a mazo run folder with config.json and trajectory.jsonl`);
  const c = parseJsonText(readFileSync(cfgPath, "utf8"), cfgPath) as { options?: OptionValues; method?: string; model?: string; tokenizer?: string | null };
  if (c.options === undefined || typeof c.method !== "string" || typeof c.model !== "string") {
    throw new UsageError(`--run ${dir}: config.json lacks "options", "method" or "model" (not written by mazo train --tasks)`);
  }
  const first = readFileSync(trajPath, "utf8").split("\n", 1)[0] ?? "";
  let header: TrajectoryHeader;
  try {
    header = JSON.parse(first) as TrajectoryHeader;
  } catch (e) {
    throw new RangeError(`${trajPath}: its first line is not a JSON header (${(e as Error).message})`);
  }
  if (header.type !== "header") throw new RangeError(`${trajPath}: its first line is not a trajectory header`);
  return { dir, method: c.method, options: c.options, baseModel: c.model, tokenizer: c.tokenizer ?? null, header, isLora: header.lora !== undefined };
}

/**
 * Loaded fine-tuned weights (a Hugging Face folder) in the RoPE layout of the model they were trained
 * from: a llama2.c model is exported with wq/wk rows permuted, and permuting back gives the very weights
 * the run ended with.
 */
export function inBaseLayout(w: HostWeights, base: ModelConfig): HostWeights {
  return withRopeLayout(w, base.ropeLayout);
}

/** Reads a PEFT adapter folder (adapter_config.json, adapter_model.safetensors) for `model`, in its row layout. */
export function readPeftAdapter(dir: string, model: ModelConfig): HostLora {
  if (!isDirectory(dir)) throw new RangeError(`${dir}: no such adapter folder`);
  return parsePeftAdapter(readFileSync(join(dir, "adapter_config.json"), "utf8"), readBytes(join(dir, "adapter_model.safetensors")), model, dir);
}
