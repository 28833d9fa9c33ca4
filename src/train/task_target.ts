/**
 * The scope each multi-task method trains: MeZO and LoRA-MeZO through src/cli/cmd_train.ts's targets,
 * and the masked methods (MaZO, Sparse-MeZO, random mask, single-task) through calibration, the mask
 * builder and the masked scope, and LoRA-MaZO (LoRA adapters with a mask over B's rows from the importance
 * of the base weight rows they modify, src/mazo/lora_mask.ts). Masks are saved to masks.json so resume
 * and replay reuse them exactly; adapter masks are stored under "<weight>.lora_A" / "<weight>.lora_B"
 * (see loraMaskName and loraMasksFromFile).
 */
import { join } from "node:path";
import { buildZoTarget, type TrainConfig, writeLoraResult, type ZoTarget } from "../cli/cmd_train.ts";
import type { GpuContext } from "../gpu/context.ts";
import { loadMaskEngine } from "../mask/engine.ts";
import { initHostLora, LoraAdapters, type LoraEntry } from "../lora/lora.ts";
import { Mask } from "../mask/mask.ts";
import { calibrate } from "../mazo/calibrate.ts";
import { createLoraMaskedScope, loraMasks } from "../mazo/lora_scope.ts";
import { MaskedScope } from "../mazo/masked_scope.ts";
import { buildMasks, type MaskMethod } from "../mazo/masks.ts";
import type { LlamaModel } from "../model/forward.ts";
import { writeHfFolder } from "../model/load.ts";
import type { HostWeights } from "../model/weights.ts";
import type { Tokenizer } from "../tokenizer/types.ts";
import { type MaskFile, readMaskFile, writeMaskFile } from "./mask_file.ts";
import type { PreparedTask } from "./prepared_tasks.ts";
import type { TaskSettings } from "./task_config.ts";

const MASK_METHOD: Readonly<Record<string, MaskMethod>> = { mazo: "mazo", "sparse-mezo": "sparse-mezo", "random-mask": "random", "single-task": "single-task" };

export interface TaskTarget extends ZoTarget {
  /** Entries trained and entries of the model. */
  readonly trainable: number;
  readonly total: number;
  /** One line for logs and reports. */
  readonly description: string;
}

export interface TaskTargetInputs {
  readonly ctx: GpuContext;
  readonly model: LlamaModel;
  readonly weights: HostWeights;
  readonly tokenizer: Tokenizer;
  readonly tasks: readonly PreparedTask[];
  readonly cfg: TrainConfig;
  readonly settings: TaskSettings;
  readonly maxLength: number;
  readonly baseModel: string;
  /** Run folder: masks.json is written here, or read from here when `reuseMasks`. */
  readonly out: string;
  readonly reuseMasks: boolean;
  readonly merge: boolean;
}

/** Builds the method's scope (calibrating and masking for the masked methods). */
export async function buildTaskTarget(x: TaskTargetInputs): Promise<TaskTarget> {
  const { ctx, model, weights, settings: s, cfg } = x;
  const total = weights.tensors.reduce((a, t) => a + t.data.length, 0);
  if (s.method === "mezo" || s.method === "lora-mezo") {
    const t = await buildZoTarget(ctx, model, weights, { ...cfg, method: s.method }, x.baseModel, x.merge);
    const what = s.method === "mezo" ? `all ${t.scope.trainable.toLocaleString("en")} weights (groups ${cfg.groups.join(",")})` : `LoRA r=${cfg.lora.rank} on ${cfg.lora.targets.join(",")}: ${t.scope.trainable.toLocaleString("en")} adapter weights`;
    return { ...t, trainable: t.scope.trainable, total, description: `${s.method}: ${what}` };
  }
  if (s.method === "lora-mazo") return await buildLoraMazoTarget(x, total);
  const method = MASK_METHOD[s.method]!;
  const maskPath = join(x.out, "masks.json");
  let file: MaskFile;
  if (x.reuseMasks) {
    file = readMaskFile(maskPath);
  } else {
    const needStats = method === "mazo" || method === "single-task";
    const stats = needStats
      ? await calibrate(model, x.tokenizer, x.tasks.map((t) => ({ task: t.name, examples: t.train.map((e) => e.example) })), { examples: s.calibN, maxLength: x.maxLength })
      : [];
    const set = buildMasks(await loadMaskEngine(), weights, stats, { method, keep: s.keep, norm: s.norm, a: s.scoreA, b: s.scoreB, others: s.others, seed: cfg.trainer.seed });
    file = { method: s.method, keep: set.keep, trainable: set.trainable, total: set.total, masks: set.masks };
    writeMaskFile(maskPath, file);
  }
  const scope = new MaskedScope(ctx, model.store, file.masks);
  return {
    scope,
    trainable: file.trainable,
    total,
    description: `${s.method}: keep ${file.keep} of each row, ${file.trainable.toLocaleString("en")} of ${total.toLocaleString("en")} weights (${((100 * file.trainable) / total).toFixed(2)}%)`,
    header: { method: s.method, scope: { kind: scope.kind, exact: true } },
    finish: async (out) => writeHfFolder(join(out, "model"), await model.store.download(ctx)),
    destroy: () => scope.destroy(),
  };
}

/** The masks.json name of an adapter matrix: "<base weight>.lora_A" (r, in) or "<base weight>.lora_B" (out, r). */
export function loraMaskName(e: LoraEntry, which: "A" | "B"): string {
  return `${e.weight}.lora_${which}`;
}

/** The adapter masks of a lora-mazo masks.json as tensor id -> flat indices, checked against the adapter's shapes. */
export function loraMasksFromFile(file: MaskFile, entries: readonly LoraEntry[], rank: number): Map<number, Uint32Array> {
  const out = new Map<number, Uint32Array>();
  for (const e of entries) {
    for (const [which, id, rows, cols] of [["A", e.idA, rank, e.inDim], ["B", e.idB, e.outDim, rank]] as const) {
      const m = file.masks.get(loraMaskName(e, which));
      if (m === undefined) continue;
      if (m.rows !== rows || m.cols !== cols) throw new RangeError(`masks.json: ${loraMaskName(e, which)} is ${m.rows}x${m.cols}; the adapter's is ${rows}x${cols}`);
      out.set(id, m.indices);
    }
  }
  if (out.size === 0) throw new RangeError("masks.json holds no LoRA adapter masks (names <weight>.lora_A / .lora_B); was it written by a lora-mazo run with the same --lora-targets?");
  return out;
}

/** lora-mazo: adapters attached to the model, trained through a MaskedScope over their arenas. */
async function buildLoraMazoTarget(x: TaskTargetInputs, total: number): Promise<TaskTarget> {
  const { ctx, model, weights, settings: s, cfg } = x;
  const maskPath = join(x.out, "masks.json");
  const host = initHostLora(model.config, cfg.lora);
  const r = cfg.lora.rank;
  let file: MaskFile;
  if (x.reuseMasks) {
    file = readMaskFile(maskPath);
  } else {
    // Calibrate the base model (before the adapters are attached; B = 0 leaves the activations unchanged anyway).
    const stats = await calibrate(model, x.tokenizer, x.tasks.map((t) => ({ task: t.name, examples: t.train.map((e) => e.example) })), { examples: s.calibN, maxLength: x.maxLength });
    const byId = loraMasks(host, weights, stats, { keep: s.keep, a: s.scoreA, b: s.scoreB });
    const masks = new Map<string, Mask>();
    let trainable = 0;
    let adapterTotal = 0;
    for (const e of host.entries) {
      const a = byId.get(e.idA)!, b = byId.get(e.idB)!;
      masks.set(loraMaskName(e, "A"), new Mask(r, e.inDim, a));
      masks.set(loraMaskName(e, "B"), new Mask(e.outDim, r, b));
      trainable += a.length + b.length;
      adapterTotal += r * (e.inDim + e.outDim);
    }
    file = { method: s.method, keep: s.keep, trainable, total: adapterTotal, masks };
    writeMaskFile(maskPath, file);
  }
  const lora = new LoraAdapters(ctx, host);
  const scope = createLoraMaskedScope(ctx, lora.arenas, loraMasksFromFile(file, lora.entries, r));
  lora.attach(model);
  return {
    scope,
    trainable: scope.trainable,
    total,
    description: `${s.method}: LoRA r=${r} on ${cfg.lora.targets.join(",")}, all of A and keep ${file.keep} of B's rows: ${scope.trainable.toLocaleString("en")} of ${file.total.toLocaleString("en")} adapter weights (${((100 * scope.trainable) / file.total).toFixed(2)}%)`,
    header: { method: s.method, scope: { kind: scope.kind, exact: true }, lora: { ...cfg.lora } },
    finish: async (out) => writeLoraResult(out, lora, weights, x.baseModel, x.merge),
    destroy: () => {
      lora.detach(model);
      lora.destroy();
      scope.destroy();
    },
  };
}
