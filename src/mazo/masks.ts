/**
 * The masks of MaZO and its baselines, all in one code path: per trained tensor, a Mask (sorted flat
 * indices, the same k in every row) computed once before training from the weights and, for MaZO, the
 * tasks' calibration statistics.
 *
 * Methods (option `method`):
 *   "mazo"         per task S^t (scores.ts), normalised within each row (`norm`), summed over tasks,
 *                  top-k of each row;
 *   "single-task"  the same with one task's scores only (`task`);
 *   "sparse-mezo"  the k smallest |W| of each row (Sparse-MeZO's magnitude rule);
 *   "random"       k entries of each row chosen by a seeded hash (`seed`);
 *   "full"         every entry (MeZO through the masked path; `keep` is ignored).
 * k = keepToK(keep, cols) with at least one entry per row. Ties go to the lower column (the engine's rule).
 *
 * Groups: the masked linear weights are every "matrix" tensor (wq, wk, wv, wo, w1, w2, w3) unless
 * `weights` names a subset; the others (embeddings, output head, norms, biases) follow `others`:
 * "frozen" (default), "full" (trained unmasked) or "magnitude" (the top-k |W| of each row; a vector
 * is one row).
 */
import type { RowNorm } from "../mask/checks.ts";
import type { KeepSpec } from "../mask/keep.ts";
import { Mask } from "../mask/mask.ts";
import type { HostWeights } from "../model/weights.ts";
import { canonicalTensors } from "../model/canonical.ts";
import { philox4x32 } from "../zo/rng.ts";
import type { TaskStats } from "./calibrate.ts";
import { type ScoreCoefficients, taskScores } from "./scores.ts";

/** How a mask is chosen. */
export type MaskMethod = "mazo" | "single-task" | "sparse-mezo" | "random" | "full";
/** The methods, for option parsing. */
export const MASK_METHODS: readonly MaskMethod[] = ["mazo", "single-task", "sparse-mezo", "random", "full"];

/** What happens to the tensors that are not masked linear weights. */
export type OtherGroups = "frozen" | "full" | "magnitude";
/** The modes, for option parsing. */
export const OTHER_GROUPS: readonly OtherGroups[] = ["frozen", "full", "magnitude"];

/** The per-row selection and combination a mask needs; MaskEngine (Wasm) and the references provide it. */
export interface MaskSelector {
  rowTopK(scores: Float32Array, rows: number, cols: number, k: number | KeepSpec): Uint32Array;
  combineTaskScores(list: readonly Float32Array[], rows: number, cols: number, mode: RowNorm): Float32Array;
}

/** Options of {@link buildMasks}. */
export interface MaskOptions extends ScoreCoefficients {
  /** Default "mazo". */
  readonly method?: MaskMethod;
  /** Fraction of each row kept, in (0, 1] (default MASK_DEFAULTS.keep). */
  readonly keep?: number;
  /** Row normalisation of each task's scores before the sum (default MASK_DEFAULTS.norm). */
  readonly norm?: RowNorm;
  /** "single-task": which task's statistics (default the first). */
  readonly task?: string;
  /** "random": the hash seed (default 0). */
  readonly seed?: number;
  /** Embeddings, head, norms and biases (default "frozen"). */
  readonly others?: OtherGroups;
  /** The masked linear weights (default every "matrix" tensor). */
  readonly weights?: readonly string[];
}

/** Defaults of {@link MaskOptions} (docs/mazo.md explains them). */
export const MASK_DEFAULTS = { method: "mazo" as MaskMethod, keep: 0.05, norm: "sum" as RowNorm, others: "frozen" as OtherGroups, seed: 0 } as const;

/** The masks of one run. */
export interface MaskSet {
  readonly method: MaskMethod;
  readonly keep: number;
  /** Trained tensor name -> its mask (tensors absent are frozen). Canonical order. */
  readonly masks: ReadonlyMap<string, Mask>;
  /** Entries trained, and entries of all tensors. */
  readonly trainable: number;
  readonly total: number;
}

/** (rows, cols) of a tensor as a mask sees it: a vector is one row. */
function maskDims(shape: readonly number[]): [number, number] {
  if (shape.length === 1) return [1, shape[0]!];
  return [shape[0]!, shape.slice(1).reduce((a, b) => a * b, 1)];
}

function allIndices(n: number): Uint32Array {
  return Uint32Array.from({ length: n }, (_, i) => i);
}

/** Seeded uniform scores of one tensor for the "random" method (Philox counter (index, id, 1, 0), key (seed, 0)). */
export function randomScores(seed: number, tensorId: number, n: number): Float32Array {
  const out = new Float32Array(n);
  const w = new Uint32Array(4);
  for (let i = 0; i < n; i++) out[i] = philox4x32(i, tensorId, 1, 0, seed >>> 0, 0, w)[0]! / 4294967296;
  return out;
}

function negAbs(w: Float32Array): Float32Array {
  return w.map((v) => -Math.abs(v));
}

function abs(w: Float32Array): Float32Array {
  return w.map((v) => Math.abs(v));
}

/**
 * The masks of `method` for model weights `weights` (host copies) from the tasks' statistics `stats`
 * (needed by "mazo" and "single-task"; a linear weight missing from a task's norms is a RangeError).
 */
export function buildMasks(selector: MaskSelector, weights: HostWeights, stats: readonly TaskStats[], options: MaskOptions = {}): MaskSet {
  const method = options.method ?? MASK_DEFAULTS.method;
  if (!MASK_METHODS.includes(method)) throw new RangeError(`buildMasks: method is ${JSON.stringify(method)}; it must be one of ${MASK_METHODS.join(", ")}`);
  const keep = method === "full" ? 1 : options.keep ?? MASK_DEFAULTS.keep;
  if (!(keep > 0 && keep <= 1)) throw new RangeError(`buildMasks: keep is ${keep}; it must be in (0, 1]`);
  const others = options.others ?? MASK_DEFAULTS.others;
  if (!OTHER_GROUPS.includes(others)) throw new RangeError(`buildMasks: others is ${JSON.stringify(others)}; it must be one of ${OTHER_GROUPS.join(", ")}`);
  const norm = options.norm ?? MASK_DEFAULTS.norm;
  const seed = options.seed ?? MASK_DEFAULTS.seed;
  const specs = canonicalTensors(weights.config);
  const matrices = specs.filter((s) => s.kind === "matrix").map((s) => s.name);
  const linear = new Set(options.weights ?? matrices);
  for (const n of linear) if (!matrices.includes(n)) throw new RangeError(`buildMasks: ${JSON.stringify(n)} is not a linear weight of this model (${matrices.slice(0, 7).join(", ")}, ...)`);
  let taskList = stats;
  if (method === "single-task") {
    const name = options.task ?? stats[0]?.task;
    taskList = stats.filter((s) => s.task === name);
    if (taskList.length !== 1) throw new RangeError(`buildMasks: single-task needs the statistics of task ${JSON.stringify(name)}; have ${stats.map((s) => s.task).join(", ") || "none"}`);
  }
  if ((method === "mazo" || method === "single-task") && taskList.length === 0) throw new RangeError(`buildMasks: method ${method} needs calibration statistics of at least one task`);
  const spec: KeepSpec = { keep, atLeastOne: true };
  const masks = new Map<string, Mask>();
  let trainable = 0, total = 0;
  for (const s of specs) {
    const w = weights.tensors[s.id]!.data;
    total += w.length;
    const [rows, cols] = maskDims(s.shape);
    let idx: Uint32Array | null = null;
    if (linear.has(s.name)) {
      if (method === "full") idx = allIndices(w.length);
      else if (method === "sparse-mezo") idx = selector.rowTopK(negAbs(w), rows, cols, spec);
      else if (method === "random") idx = selector.rowTopK(randomScores(seed, s.id, w.length), rows, cols, spec);
      else {
        const list = taskList.map((t) => {
          const xn = t.norms.get(s.name);
          if (xn === undefined) throw new RangeError(`buildMasks: task ${t.task}'s statistics have no input norms for ${s.name}`);
          return taskScores(w, rows, cols, xn, options);
        });
        idx = selector.rowTopK(selector.combineTaskScores(list, rows, cols, norm), rows, cols, spec);
      }
    } else if (s.kind !== "matrix") {
      if (others === "full") idx = allIndices(w.length);
      else if (others === "magnitude") idx = selector.rowTopK(abs(w), rows, cols, spec);
    }
    if (idx !== null) {
      masks.set(s.name, new Mask(rows, cols, idx));
      trainable += idx.length;
    }
  }
  return { method, keep, masks, trainable, total };
}

/** |A ∩ B| / |A ∪ B| over all entries of two mask sets (tensors absent from one count as empty there). */
export function maskOverlap(a: MaskSet, b: MaskSet): number {
  let inter = 0, union = 0;
  const names = new Set([...a.masks.keys(), ...b.masks.keys()]);
  for (const n of names) {
    const x = a.masks.get(n)?.indices ?? new Uint32Array(0);
    const y = b.masks.get(n)?.indices ?? new Uint32Array(0);
    let i = 0, j = 0, both = 0;
    while (i < x.length && j < y.length) {
      if (x[i]! === y[j]!) {
        both++;
        i++;
        j++;
      } else if (x[i]! < y[j]!) i++;
      else j++;
    }
    inter += both;
    union += x.length + y.length - both;
  }
  return union === 0 ? 1 : inter / union;
}
