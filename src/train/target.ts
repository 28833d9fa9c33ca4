/**
 * What each method trains (its ZoScope) and how its result is written: mezo (FullScope over the model's
 * arenas), lora-mezo (LoRA adapters attached to the model), the masked methods (mazo, sparse-mezo,
 * random-mask, single-task: calibration, the mask builder, a MaskedScope), and lora-mazo (adapters with
 * a mask over B's rows from the importance of the base weight rows they modify, src/mazo/lora_mask.ts).
 * Masks are saved to masks.json so resume, the best-step rebuild and replay reuse them exactly; adapter
 * masks are stored under "<weight>.lora_A" / "<weight>.lora_B" (see loraMaskName, loraMasksFromFile).
 */
import type { GpuContext } from "../gpu/context.ts";
import { initHostLora, LoraAdapters, type LoraEntry } from "../lora/lora.ts";
import { encodePeftFolder, mergeLora } from "../lora/peft.ts";
import { createLoraScope } from "../lora/scope.ts";
import { loadMaskEngine } from "../mask/engine.ts";
import { Mask } from "../mask/mask.ts";
import { calibrate } from "../mazo/calibrate.ts";
import { createLoraMaskedScope, loraMasks } from "../mazo/lora_scope.ts";
import { MaskedScope } from "../mazo/masked_scope.ts";
import { buildMasks, type MaskMethod } from "../mazo/masks.ts";
import { encodeHfFolder } from "../model/convert.ts";
import type { LlamaModel } from "../model/forward.ts";
import type { HostWeights } from "../model/weights.ts";
import type { Tokenizer } from "../tokenizer/types.ts";
import { createFullScope } from "../zo/full_scope.ts";
import type { ZoScope } from "../zo/scope.ts";
import type { TrajectoryHeader } from "../zo/trajectory.ts";
import { encodeMaskFile, type MaskFile, parseMaskFile } from "./mask_file.ts";
import type { MaskSettings, TrainConfig } from "./options.ts";
import type { PreparedTask } from "./prepared_tasks.ts";
import type { RunSink } from "./sink.ts";

const MASK_METHOD: Readonly<Record<string, MaskMethod>> = { mazo: "mazo", "sparse-mezo": "sparse-mezo", "random-mask": "random", "single-task": "single-task" };

/** The masks file's name in a run. */
export const MASKS_FILE = "masks.json";

/** A method's scope, how to write its result, and the trajectory header's part. */
export interface TrainTarget {
  readonly scope: ZoScope;
  readonly header: Pick<TrajectoryHeader, "method" | "scope"> & { readonly lora?: Readonly<Record<string, unknown>> };
  /** Entries trained and entries of the model. */
  readonly trainable: number;
  readonly total: number;
  /** One line for logs and reports. */
  readonly description: string;
  /** Writes the weights (model/) or adapter (adapter/, and merged/ with `merge`) into `sink` under `prefix`; returns the names written. */
  finish(sink: RunSink, prefix?: string): Promise<string[]>;
  destroy(): void;
}

/** Inputs of {@link buildTarget}. */
export interface TargetInputs {
  readonly ctx: GpuContext;
  readonly model: LlamaModel;
  readonly weights: HostWeights;
  readonly tokenizer: Tokenizer;
  /** The tasks whose train splits calibrate the masked methods (empty for text data). */
  readonly tasks: readonly PreparedTask[];
  readonly cfg: TrainConfig;
  readonly mask: MaskSettings;
  readonly maxLength: number;
  readonly baseModel: string;
  /** masks.json is written to the sink, or read from it when `reuseMasks`. */
  readonly sink: RunSink;
  readonly reuseMasks: boolean;
  readonly merge: boolean;
}

async function writeAll(sink: RunSink, prefix: string, files: Map<string, Uint8Array[]>): Promise<string[]> {
  const written: string[] = [];
  for (const [file, parts] of files) {
    await sink.write(`${prefix}${file}`, parts);
    written.push(`${prefix}${file}`);
  }
  return written;
}

/** Writes adapter/ (PEFT) and, with `merge`, merged/ (HF folder) under `prefix`. */
export async function writeLoraResult(sink: RunSink, lora: LoraAdapters, base: HostWeights, baseModel: string, merge: boolean, prefix = ""): Promise<string[]> {
  const host = await lora.download();
  const written = await writeAll(sink, `${prefix}adapter/`, encodePeftFolder(base.config, host, baseModel));
  if (merge) written.push(...(await writeAll(sink, `${prefix}merged/`, encodeHfFolder(mergeLora(base, host)))));
  return written;
}

async function readMasks(sink: RunSink): Promise<MaskFile> {
  const text = await sink.readText(MASKS_FILE);
  if (text === undefined) throw new Error(`${sink.path(MASKS_FILE)} does not exist: the run's masks are needed to resume or rebuild it`);
  return parseMaskFile(text, sink.path(MASKS_FILE));
}

function modelFinish(ctx: GpuContext, model: LlamaModel) {
  return async (sink: RunSink, prefix = "") => writeAll(sink, `${prefix}model/`, encodeHfFolder(await model.store.download(ctx)));
}

/** Builds the method's scope (calibrating and masking for the masked methods). */
export async function buildTarget(x: TargetInputs): Promise<TrainTarget> {
  const { ctx, model, weights, cfg } = x;
  const method = cfg.method;
  const total = weights.tensors.reduce((a, t) => a + t.data.length, 0);
  const eps = cfg.trainer.eps;
  if (method === "mezo") {
    const scope = await createFullScope(ctx, model.store, cfg.exact ? { groups: cfg.groups, decayRule: cfg.decayRule, exact: true, eps, weights } : { groups: cfg.groups, decayRule: cfg.decayRule });
    return {
      scope,
      trainable: scope.trainable,
      total,
      description: `mezo: all ${scope.trainable.toLocaleString("en")} weights (groups ${cfg.groups.join(",")})`,
      header: { method: "mezo", scope: { kind: scope.kind, exact: cfg.exact, groups: cfg.groups, decayRule: cfg.decayRule, ...(cfg.exact ? { eps } : {}) } },
      finish: modelFinish(ctx, model),
      destroy: () => scope.destroy(),
    };
  }
  if (method === "lora-mezo") {
    const lora = new LoraAdapters(ctx, initHostLora(model.config, cfg.lora));
    lora.attach(model);
    const scope = createLoraScope(ctx, lora, cfg.exact ? { exact: true, eps } : {});
    return {
      scope,
      trainable: scope.trainable,
      total,
      description: `lora-mezo: LoRA r=${cfg.lora.rank} on ${cfg.lora.targets.join(",")}: ${scope.trainable.toLocaleString("en")} adapter weights`,
      header: { method: "lora-mezo", scope: { kind: scope.kind, exact: cfg.exact, ...(cfg.exact ? { eps } : {}) }, lora: { ...cfg.lora } },
      finish: (sink, prefix) => writeLoraResult(sink, lora, weights, x.baseModel, x.merge, prefix),
      destroy: () => {
        lora.detach(model);
        lora.destroy();
        scope.destroy();
      },
    };
  }
  if (method === "lora-mazo") return await buildLoraMazoTarget(x, total);
  const maskMethod = MASK_METHOD[method]!;
  const s = x.mask;
  let file: MaskFile;
  if (x.reuseMasks) {
    file = await readMasks(x.sink);
  } else {
    const needStats = maskMethod === "mazo" || maskMethod === "single-task";
    const stats = needStats
      ? await calibrate(model, x.tokenizer, x.tasks.map((t) => ({ task: t.name, examples: t.train.map((e) => e.example) })), { examples: s.calibN, maxLength: x.maxLength })
      : [];
    const set = buildMasks(await loadMaskEngine(), weights, stats, { method: maskMethod, keep: s.keep, norm: s.norm, a: s.scoreA, b: s.scoreB, others: s.others, seed: cfg.trainer.seed });
    file = { method, keep: set.keep, trainable: set.trainable, total: set.total, masks: set.masks };
    await x.sink.write(MASKS_FILE, [new TextEncoder().encode(encodeMaskFile(file))]);
  }
  const scope = new MaskedScope(ctx, model.store, file.masks);
  return {
    scope,
    trainable: file.trainable,
    total,
    description: `${method}: keep ${file.keep} of each row, ${file.trainable.toLocaleString("en")} of ${total.toLocaleString("en")} weights (${((100 * file.trainable) / total).toFixed(2)}%)`,
    header: { method, scope: { kind: scope.kind, exact: true } },
    finish: modelFinish(ctx, model),
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
async function buildLoraMazoTarget(x: TargetInputs, total: number): Promise<TrainTarget> {
  const { ctx, model, weights, cfg } = x;
  const s = x.mask;
  const host = initHostLora(model.config, cfg.lora);
  const r = cfg.lora.rank;
  let file: MaskFile;
  if (x.reuseMasks) {
    file = await readMasks(x.sink);
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
    file = { method: "lora-mazo", keep: s.keep, trainable, total: adapterTotal, masks };
    await x.sink.write(MASKS_FILE, [new TextEncoder().encode(encodeMaskFile(file))]);
  }
  const lora = new LoraAdapters(ctx, host);
  const scope = createLoraMaskedScope(ctx, lora.arenas, loraMasksFromFile(file, lora.entries, r));
  lora.attach(model);
  return {
    scope,
    trainable: scope.trainable,
    total,
    description: `lora-mazo: LoRA r=${r} on ${cfg.lora.targets.join(",")}, all of A and keep ${file.keep} of B's rows: ${scope.trainable.toLocaleString("en")} of ${file.total.toLocaleString("en")} adapter weights (${((100 * scope.trainable) / file.total).toFixed(2)}%)`,
    header: { method: "lora-mazo", scope: { kind: scope.kind, exact: true }, lora: { ...cfg.lora } },
    finish: (sink, prefix) => writeLoraResult(sink, lora, weights, x.baseModel, x.merge, prefix),
    destroy: () => {
      lora.detach(model);
      lora.destroy();
      scope.destroy();
    },
  };
}
