/**
 * The options of `mazo train` and `mazo experiment` and their translation into the library's
 * FineTuneOptions (src/train/options.ts): flags and config values are checked here (UsageError naming
 * the bad one); everything else about a run is the library's.
 */
import type { DecayRule } from "../zo/weight_decay.ts";
import { checkLoraConfig, type LoraConfig, type LoraTarget } from "../lora/lora.ts";
import type { FineTuneOptions, TaskMethod, TaskSettings, TrainConfig } from "../train/options.ts";
import { PARAM_GROUPS, type ParamGroup } from "../zo/full_scope.ts";
import type { LrSchedule, LrScheduleKind } from "../zo/schedule.ts";
import type { ZoTrainerOptions } from "../zo/trainer.ts";
import { integerOption, numberOption, type OptionSpec, type OptionValues, UsageError } from "./command.ts";
import { GPU_OPTIONS } from "./gpu_options.ts";
import { MODEL_OPTIONS } from "./model_options.ts";
import { TASK_METHODS, TASK_OPTIONS } from "./task_options.ts";

/** The options of `mazo train` (experiment takes most of them). */
export const TRAIN_OPTIONS: Readonly<Record<string, OptionSpec>> = {
  ...MODEL_OPTIONS,
  ...GPU_OPTIONS,
  data: { type: "string", arg: "<file.jsonl>", description: 'plain text LM data, one {"text": ...} per line' },
  method: { type: "string", arg: "<name>", choices: TASK_METHODS, description: "what to train (default: mazo with --tasks, mezo with --data); --data takes mezo or lora-mezo" },
  steps: { type: "string", arg: "<N>", description: "training steps (default 100; 200 with --tasks)" },
  lr: { type: "string", arg: "<X>", description: "peak learning rate (default 1e-5 with --data; with --tasks 3e-5 for mezo, 1e-3 for the masked and LoRA methods)" },
  eps: { type: "string", arg: "<E>", default: "1e-3", description: "perturbation size" },
  batch: { type: "string", arg: "<B>", description: "sequences per batch with --data (default 8); examples per batch with --tasks (default 12)" },
  "max-len": { type: "string", arg: "<T>", description: "tokens per sequence at most, BOS included (default: the model's context, at most 2048 as MeZO and what a forward pass of 64 sequences can hold); task prompts shorten their long field (the passage) first" },
  seed: { type: "string", arg: "<S>", default: "0", description: "run seed (probe seeds, batch order, LoRA init)" },
  out: { type: "string", arg: "<dir>", description: "run folder (created; a non-empty folder is refused unless --resume or --overwrite)" },
  overwrite: { type: "boolean", default: false, description: "replace the run files of an existing --out folder" },
  probes: { type: "string", arg: "<q>", default: "1", description: "SPSA probes averaged per step" },
  "weight-decay": { type: "string", arg: "<wd>", default: "0", description: "weight decay (matrices only; LoRA: A and B)" },
  schedule: { type: "string", arg: "<kind>", choices: ["constant", "linear", "cosine"], default: "constant", description: "learning-rate schedule" },
  warmup: { type: "string", arg: "<N>", default: "0", description: "linear warmup steps" },
  momentum: { type: "string", arg: "<beta>", default: "0", description: "momentum on the projected gradient (window of past seeds, no per-parameter memory)" },
  clip: { type: "string", arg: "<c>", description: "clip each projected gradient g to [-c, c]" },
  exact: { type: "boolean", default: false, description: "exact (grid) mode: bit-exact restore after each probe" },
  groups: { type: "string", arg: "<list>", default: "matrices,norms,embeddings", description: "mezo: parameter groups that train (comma list)" },
  "decay-rule": { type: "string", arg: "<rule>", choices: ["mezo", "matrices"], default: "mezo", description: "mezo: which tensors --weight-decay applies to: mezo (MeZO's: all but norms and biases) or matrices" },
  "lora-rank": { type: "string", arg: "<r>", default: "8", description: "LoRA rank" },
  "lora-alpha": { type: "string", arg: "<a>", default: "16", description: "LoRA alpha (scale alpha/r)" },
  "lora-targets": { type: "string", arg: "<list>", default: "wq,wv", description: "LoRA target projections (wq,wk,wv,wo,w1,w2,w3)" },
  merge: { type: "boolean", default: false, description: "lora-mezo, lora-mazo: also write the merged model to merged/" },
  "log-every": { type: "string", arg: "<N>", default: "10", description: "steps between progress lines" },
  ...TASK_OPTIONS,
};

/** The resolved training config of the CLI: the library's TrainConfig and the progress cadence. */
export interface CliTrainConfig extends TrainConfig {
  readonly logEvery: number;
}

function list(v: OptionValues, name: string): string[] {
  return String(v[name] ?? "").split(",").map((s) => s.trim()).filter((s) => s !== "");
}

/** Validates and resolves the training options of `method` (UsageError naming the bad one). */
export function resolveTrainConfig(v: OptionValues, method: TaskMethod, fallback: { steps: number; lr: number; batch: number }): CliTrainConfig {
  const steps = integerOption(v, "steps", fallback.steps, 0, 2 ** 31);
  const seed = integerOption(v, "seed", 0, 0, 2 ** 32 - 1);
  const lr = numberOption(v, "lr", fallback.lr, 0, 1e3);
  const groups = list(v, "groups") as ParamGroup[];
  for (const g of groups) if (!PARAM_GROUPS.includes(g)) throw new UsageError(`--groups: unknown group "${g}"; valid: ${PARAM_GROUPS.join(", ")}`);
  const kind = String(v.schedule ?? "constant") as LrScheduleKind;
  const warmup = integerOption(v, "warmup", 0, 0, 2 ** 31);
  const schedule: LrSchedule = kind === "constant" ? { kind, lr, warmup } : { kind, lr, warmup, totalSteps: Math.max(steps, warmup + 1) };
  const clip = v.clip === undefined ? undefined : numberOption(v, "clip", 0, 1e-30);
  const trainer: ZoTrainerOptions = {
    seed: Math.floor(seed),
    lr: schedule,
    eps: numberOption(v, "eps", 1e-3, 1e-12, 1),
    weightDecay: numberOption(v, "weight-decay", 0, 0, 1e6),
    probes: integerOption(v, "probes", 1, 1, 4096),
    momentum: numberOption(v, "momentum", 0, 0, 0.999),
    ...(clip === undefined ? {} : { clip }),
  };
  let lora: LoraConfig;
  try {
    lora = checkLoraConfig({
      rank: integerOption(v, "lora-rank", 8, 1, 4096),
      alpha: numberOption(v, "lora-alpha", 16, 1e-30),
      targets: list(v, "lora-targets") as LoraTarget[],
      seed: Math.floor(seed),
    });
  } catch (e) {
    throw new UsageError((e as Error).message);
  }
  return {
    method,
    steps: Math.floor(steps),
    batch: integerOption(v, "batch", fallback.batch, 1, 1 << 16),
    ...(v["max-len"] !== undefined ? { maxLen: integerOption(v, "max-len", 0, 2, 1 << 20) } : {}),
    exact: v.exact === true,
    groups,
    decayRule: (v["decay-rule"] ?? "mezo") as DecayRule,
    lora,
    trainer,
    logEvery: integerOption(v, "log-every", 10, 1, 2 ** 31),
  };
}

/** The FineTuneOptions fields of a resolved CLI config (and, for task data, its task settings). */
export function fineTuneFields(cfg: TrainConfig, settings?: TaskSettings): Omit<FineTuneOptions, "ctx" | "model" | "tokenizer" | "data"> {
  return {
    method: cfg.method,
    steps: cfg.steps,
    batch: cfg.batch,
    ...(cfg.maxLen !== undefined ? { maxLen: cfg.maxLen } : {}),
    trainer: cfg.trainer,
    exact: cfg.exact,
    groups: cfg.groups,
    decayRule: cfg.decayRule,
    lora: cfg.lora,
    ...(settings === undefined ? {} : {
      mask: { keep: settings.keep, norm: settings.norm, scoreA: settings.scoreA, scoreB: settings.scoreB, others: settings.others, calibN: settings.calibN },
      evalEvery: settings.evalEvery,
      checkpointEvery: settings.checkpointEvery,
    }),
  };
}

/** The task data of resolved task settings. */
export function taskData(s: TaskSettings): FineTuneOptions["data"] {
  return { tasks: s.tasks, sizes: s.sizes, defaultSizes: s.defaultSizes, mix: s.mix, skipBad: s.skipBad, ...(s.dataDir !== undefined ? { dataDir: s.dataDir } : {}) };
}
