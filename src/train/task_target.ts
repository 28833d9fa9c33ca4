/**
 * The scope each multi-task method trains: MeZO and LoRA-MeZO through src/cli/cmd_train.ts's targets,
 * and the masked methods (MaZO, Sparse-MeZO, random mask, single-task) through calibration, the mask
 * builder and the masked scope. Masks are saved to masks.json so resume and replay reuse them exactly.
 */
import { join } from "node:path";
import { buildZoTarget, type TrainConfig, type ZoTarget } from "../cli/cmd_train.ts";
import type { GpuContext } from "../gpu/context.ts";
import { loadMaskEngine } from "../mask/engine.ts";
import { calibrate } from "../mazo/calibrate.ts";
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
  if (s.method === "lora-mazo") throw new RangeError("lora-mazo is not available yet in multi-task training; use lora-mezo or mazo");
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
