/**
 * The options of one fine-tuning run ({@link FineTuneOptions}, what `fineTune` takes) and their
 * resolution into a complete, validated {@link ResolvedFineTune} (every default filled in, the record
 * written to the trajectory header and config.json). Browser-safe: nothing here reads files; the CLI
 * turns flags and config files into these options (src/cli/train_options.ts).
 */
import { DECAY_RULES, type DecayRule } from "../zo/weight_decay.ts";
import type { GpuContext } from "../gpu/context.ts";
import { checkLoraConfig, DEFAULT_LORA, type LoraConfig } from "../lora/lora.ts";
import type { RowNorm } from "../mask/checks.ts";
import { MASK_DEFAULTS, type OtherGroups } from "../mazo/masks.ts";
import { SCORE_DEFAULTS } from "../mazo/scores.ts";
import type { HostWeights } from "../model/weights.ts";
import type { TaskRef } from "../tasks/load.ts";
import type { MixMode } from "../tasks/mixer.ts";
import type { ReadBytes } from "../tasks/read_bytes.ts";
import type { ReadText } from "../tasks/read_text.ts";
import type { SplitSizes } from "../tasks/task.ts";
import type { Tokenizer } from "../tokenizer/types.ts";
import { PARAM_GROUPS, type ParamGroup } from "../zo/full_scope.ts";
import type { ZoTrainerOptions } from "../zo/trainer.ts";
import type { FineTuneEvent } from "./events.ts";
import type { RunSink } from "./sink.ts";

/** Every training method: MaZO, its baselines in the same code path, and the LoRA variants. */
export const TASK_METHODS = ["mazo", "mezo", "sparse-mezo", "random-mask", "single-task", "lora-mezo", "lora-mazo"] as const;
/** A training method (see {@link TASK_METHODS}). */
export type TaskMethod = (typeof TASK_METHODS)[number];
/** Methods that train on plain text (LM data): the unmasked ones. */
export const TEXT_METHODS = ["mezo", "lora-mezo"] as const;

/** The tasks of the default demo. */
export const DEFAULT_TASKS = ["sst2", "trec", "copa"] as const;

/** Default learning rate of a method on tasks when none is given (docs/mazo.md: stable ranges measured). */
export function defaultLr(method: string): number {
  return method === "mezo" ? 3e-5 : 1e-3;
}

/** The model to fine-tune: host weights (from any loader) and a name for headers and reports. */
export interface ModelSource {
  readonly weights: HostWeights;
  /** A path or URL naming the model (trajectory header, adapter_config.json's base model). */
  readonly name?: string;
}

/** The split sizes of tasks whose task file gives none (and no size is requested): train 200, dev 40, test 100. */
export const DEFAULT_TASK_SIZES: SplitSizes = { train: 200, dev: 40, test: 100 };

/**
 * Task data: built-in task names, task-file paths or URLs, or parsed task files
 * (`{ spec: parseTaskSpec(json, "tickets.json"), baseDir: "https://host/data" }`), loaded with the run's
 * seed and encoded with the tokenizer (src/tasks/load.ts).
 */
export interface TaskDataOptions {
  /** The tasks, in order; their names (the task files' "name") must be distinct. */
  readonly tasks: readonly TaskRef[];
  /**
   * Examples per split for every task, winning over the task files' own "sizes". dev 0: no dev loss,
   * no best-step tracking. A split whose pool is smaller gets the whole pool.
   */
  readonly sizes?: Partial<SplitSizes>;
  /** Sizes of tasks whose task file gives none, where `sizes` gives none either (default {@link DEFAULT_TASK_SIZES}). */
  readonly defaultSizes?: Partial<SplitSizes>;
  /** Task data folder or URL for built-in tasks' `$DATA/` paths (default: the runtime's, see src/tasks/data_dir.ts). */
  readonly dataDir?: string;
  /** Text file reader (default: the runtime's; fetch in browsers). */
  readonly read?: ReadText;
  /** Binary file reader for Parquet (default: the runtime's; fetch in browsers). */
  readonly readBytes?: ReadBytes;
  /** Leave records that cannot be used out (and report how many) instead of stopping (default false). */
  readonly skipBad?: boolean;
  /** How batches mix tasks (default uniform). */
  readonly mix?: MixMode;
}

/** Plain text LM data: one string per sequence. */
export interface TextDataOptions {
  readonly texts: readonly string[];
  /** Where the texts came from (headers, chart title). */
  readonly label?: string;
}

/** Mask settings of the masked methods (mazo, sparse-mezo, random-mask, single-task, lora-mazo). */
export interface MaskSettings {
  /** Fraction of each weight row trained (default 0.05). */
  readonly keep: number;
  readonly norm: RowNorm;
  readonly scoreA: number;
  readonly scoreB: number;
  readonly others: OtherGroups;
  /** Calibration examples per task. */
  readonly calibN: number;
}

/** Everything `fineTune` takes. Only ctx, model, tokenizer and data are required. */
export interface FineTuneOptions {
  readonly ctx: GpuContext;
  readonly model: ModelSource;
  readonly tokenizer: Tokenizer;
  /** Tasks (classification, multiple choice, generation: built-in or task files) or plain text. */
  readonly data: TaskDataOptions | TextDataOptions;
  /** Default mazo with tasks, mezo with text. */
  readonly method?: TaskMethod;
  /** Training steps (default 200 with tasks, 100 with text). */
  readonly steps?: number;
  /** Examples per batch (default 12 with tasks, 8 with text). */
  readonly batch?: number;
  /**
   * Tokens per sequence at most, BOS included; capped by the model's context. Default: the model's
   * context, at most MeZO's 2048 and what one forward pass can hold (src/train/max_length.ts).
   */
  readonly maxLen?: number;
  /** Trainer options; seed default 0, lr default {@link defaultLr} (1e-5 with text), eps default 1e-3. */
  readonly trainer?: Partial<ZoTrainerOptions>;
  /** Exact (grid) mode for mezo / lora-mezo (masked scopes are always exact). */
  readonly exact?: boolean;
  /** mezo: parameter groups that train (default all). */
  readonly groups?: readonly ParamGroup[];
  /** mezo: which tensors weight decay applies to (default "mezo", MeZO's rule: all but norms and biases). */
  readonly decayRule?: DecayRule;
  /** LoRA settings (lora-mezo, lora-mazo); the seed defaults to the trainer's. */
  readonly lora?: Partial<LoraConfig>;
  readonly mask?: Partial<MaskSettings>;
  /** Steps between dev-loss evaluations (default 25). */
  readonly evalEvery?: number;
  /** Steps between checkpoints (default 25; 0: none). */
  readonly checkpointEvery?: number;
  /**
   * Stop when this many consecutive steps have every projected gradient exactly 0 (collapsed training:
   * the loss no longer depends on the weights; src/train/collapse.ts). Default 8; 0 turns it off.
   */
  readonly collapseSteps?: number;
  /**
   * Rebuild the weights of the step with the lowest dev loss from the trajectory after training and
   * evaluate them too (default true when there is a dev split): the result reports final and best.
   */
  readonly best?: boolean;
  /** Skip the accuracy evaluation before training (default false). */
  readonly skipBefore?: boolean;
  /** Where the run's files go (default: memory). */
  readonly sink?: RunSink;
  /** Continue the run in `sink` from its checkpoint. */
  readonly resume?: boolean;
  /** lora methods: also write the merged model (merged/). */
  readonly merge?: boolean;
  /** Don't write the final weights (model/, adapter/). */
  readonly noWeights?: boolean;
  /** Written to config.json on a new run. */
  readonly config?: Readonly<Record<string, unknown>>;
  /** Receives the run's events (progress, steps, evaluations, warnings, done). */
  readonly onEvent?: (e: FineTuneEvent) => void;
  /** Stops the run between steps (after the last checkpoint it wrote); fineTune then rejects with the signal's reason. */
  readonly signal?: AbortSignal;
  /** Label of progress lines (default: the method). */
  readonly label?: string;
}

/** Multi-task settings as written to the trajectory header and config.json ("settings"). */
export interface TaskSettings extends MaskSettings {
  readonly method: TaskMethod;
  /** The task references: built-in names, task-file paths, or `<name> (<file>)` for parsed task files. */
  readonly tasks: readonly string[];
  /** Requested sizes (winning over the task files'). */
  readonly sizes: Partial<SplitSizes>;
  /** Sizes of tasks whose file gives none. */
  readonly defaultSizes: SplitSizes;
  readonly mix: MixMode;
  readonly evalEvery: number;
  readonly checkpointEvery: number;
  readonly skipBad: boolean;
  readonly dataDir?: string;
}

/** The resolved training budget and scope settings. */
export interface TrainConfig {
  readonly method: TaskMethod;
  readonly steps: number;
  readonly batch: number;
  /** Requested limit (undefined: the default of src/train/max_length.ts, resolved with the GPU's limits). */
  readonly maxLen?: number;
  readonly exact: boolean;
  readonly groups: readonly ParamGroup[];
  readonly decayRule: DecayRule;
  readonly lora: LoraConfig;
  readonly trainer: ZoTrainerOptions;
}

function checkDecayRule(r: DecayRule): DecayRule {
  if (!DECAY_RULES.includes(r)) throw new RangeError(`fineTune: decayRule must be one of ${DECAY_RULES.join(", ")}, got ${JSON.stringify(r)}`);
  return r;
}

/** FineTuneOptions with every default filled in and checked. */
export interface ResolvedFineTune {
  readonly cfg: TrainConfig;
  /** Present for task data. */
  readonly settings?: TaskSettings;
  readonly text?: TextDataOptions;
  readonly tasks?: TaskDataOptions;
  readonly mask: MaskSettings;
  readonly best: boolean;
}

function isText(d: TaskDataOptions | TextDataOptions): d is TextDataOptions {
  return "texts" in d;
}

/** How a task reference is written in settings: the name or path, or `<name> (<file>)` for a parsed task file. */
export function taskLabel(ref: TaskRef): string {
  if (typeof ref === "string") return ref;
  if (typeof ref !== "object" || ref === null || typeof ref.spec !== "object" || ref.spec === null || typeof ref.spec.name !== "string") {
    throw new TypeError(`fineTune: data.tasks entries must be task names, task-file paths or {spec, baseDir} objects (spec from parseTaskSpec or readTaskFile), got ${JSON.stringify(ref)?.slice(0, 80)}`);
  }
  return `${ref.spec.name} (${ref.spec.file})`;
}

function int(what: string, v: number, min: number, max = 2 ** 31): number {
  if (!Number.isInteger(v) || v < min || v > max) throw new RangeError(`fineTune: ${what} must be an integer in [${min}, ${max}], got ${v}`);
  return v;
}

/** Fills in the defaults of `o` and checks every value (RangeError naming the bad one). */
export function resolveFineTune(o: FineTuneOptions): ResolvedFineTune {
  const text = isText(o.data);
  const method: TaskMethod = o.method ?? (text ? "mezo" : "mazo");
  if (!(TASK_METHODS as readonly string[]).includes(method)) throw new RangeError(`fineTune: method must be one of ${TASK_METHODS.join(", ")}; got ${JSON.stringify(method)}`);
  if (text && !(TEXT_METHODS as readonly string[]).includes(method)) throw new RangeError(`fineTune: method ${method} needs task data (calibration); text data takes ${TEXT_METHODS.join(", ")}`);
  const steps = int("steps", o.steps ?? (text ? 100 : 200), 0);
  const t = o.trainer ?? {};
  const seed = t.seed ?? 0;
  const trainer: ZoTrainerOptions = { ...t, seed, lr: t.lr ?? (text ? 1e-5 : defaultLr(method)), eps: t.eps ?? 1e-3 };
  const groups = o.groups ?? PARAM_GROUPS;
  for (const g of groups) if (!PARAM_GROUPS.includes(g)) throw new RangeError(`fineTune: unknown parameter group ${JSON.stringify(g)}; valid: ${PARAM_GROUPS.join(", ")}`);
  const lora = checkLoraConfig({ ...DEFAULT_LORA, seed, ...o.lora });
  const cfg: TrainConfig = {
    method,
    steps,
    batch: int("batch", o.batch ?? (text ? 8 : 12), 1, 1 << 16),
    ...(o.maxLen !== undefined ? { maxLen: int("maxLen", o.maxLen, 2, 1 << 20) } : {}),
    exact: o.exact === true,
    groups,
    decayRule: checkDecayRule(o.decayRule ?? "mezo"),
    lora,
    trainer,
  };
  const mask: MaskSettings = {
    keep: MASK_DEFAULTS.keep,
    norm: MASK_DEFAULTS.norm,
    scoreA: SCORE_DEFAULTS.a,
    scoreB: SCORE_DEFAULTS.b,
    others: MASK_DEFAULTS.others,
    calibN: 32,
    ...o.mask,
  };
  if (!(mask.keep > 0 && mask.keep <= 1)) throw new RangeError(`fineTune: mask.keep must lie in (0, 1], got ${mask.keep}`);
  if (isText(o.data)) {
    if (o.data.texts.length === 0) throw new RangeError("fineTune: data.texts is empty");
    return { cfg, text: o.data, mask, best: false };
  }
  const d = o.data;
  if (d.tasks.length === 0) throw new RangeError("fineTune: data.tasks needs at least one task");
  const tasks = d.tasks.map(taskLabel);
  if (new Set(tasks).size !== tasks.length) throw new RangeError(`fineTune: data.tasks lists a task twice: ${tasks.join(",")}`);
  const sizes: { -readonly [K in keyof SplitSizes]?: number } = {};
  const defaultSizes: { -readonly [K in keyof SplitSizes]: number } = { ...DEFAULT_TASK_SIZES };
  for (const k of ["train", "dev", "test"] as const) {
    const min = k === "train" ? 1 : 0;
    if (d.sizes?.[k] !== undefined) sizes[k] = int(`data.sizes.${k}`, d.sizes[k], min);
    if (d.defaultSizes?.[k] !== undefined) defaultSizes[k] = int(`data.defaultSizes.${k}`, d.defaultSizes[k], min);
  }
  const settings: TaskSettings = {
    method,
    tasks,
    sizes,
    defaultSizes,
    keep: mask.keep,
    norm: mask.norm,
    scoreA: mask.scoreA,
    scoreB: mask.scoreB,
    others: mask.others,
    calibN: int("mask.calibN", mask.calibN, 1),
    mix: d.mix ?? "uniform",
    evalEvery: int("evalEvery", o.evalEvery ?? 25, 1),
    checkpointEvery: int("checkpointEvery", o.checkpointEvery ?? 25, 0),
    skipBad: d.skipBad === true,
    ...(d.dataDir !== undefined ? { dataDir: d.dataDir } : {}),
  };
  return { cfg, settings, tasks: d, mask, best: o.best ?? true };
}
