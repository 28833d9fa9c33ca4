/**
 * trajectory.jsonl: a header line (method, scope, base-model fingerprint, trainer options, LoRA config),
 * then one line per step (the StepRecord). The file is written line by line, so a crash can leave a torn
 * last line; parseTrajectory drops an unterminated, unparseable last line and rejects damage anywhere else.
 * Pure functions over text: src/zo/trajectory_file.ts does the file I/O.
 */
import type { ModelConfig } from "../model/config.ts";
import type { HostWeights } from "../model/weights.ts";
import type { StepRecord, ZoUpdate } from "./trainer.ts";

/** The trajectory.jsonl format version this mazo writes and reads. */
export const TRAJECTORY_VERSION = 1;

/** The first line of a trajectory. */
export interface TrajectoryHeader {
  readonly type: "header";
  readonly version: number;
  /** "mezo", "lora-mezo", ... */
  readonly method: string;
  readonly scope: {
    readonly kind: string;
    readonly exact: boolean;
    /** FullScope parameter groups. */
    readonly groups?: readonly string[];
    /** Exact mode's eps (sets the grids). */
    readonly eps?: number;
    /** FullScope weight-decay rule (src/zo/weight_decay.ts); absent in runs before it existed: "matrices". */
    readonly decayRule?: string;
  };
  readonly model: { readonly hash: string; readonly params: number; readonly config: ModelConfig; readonly path?: string };
  /** The trainer's options (seed, lr, eps, ...), as JSON. */
  readonly trainer: Readonly<Record<string, unknown>>;
  /** LoRA settings when the scope is over adapters (see src/lora/lora.ts LoraConfig). */
  readonly lora?: Readonly<Record<string, unknown>>;
  /** Anything else the writer wants to keep (e.g. the resolved CLI config). */
  readonly extra?: Readonly<Record<string, unknown>>;
}

/** What replay needs of a step (a StepRecord has all of it). */
export interface ReplayStep {
  readonly step: number;
  readonly seeds: readonly number[];
  readonly eps: number;
  readonly updates: readonly ZoUpdate[];
  readonly skipped: boolean;
}

/** A parsed trajectory.jsonl: its header, its step records, and whether a torn last line was dropped. */
export interface Trajectory {
  readonly header: TrajectoryHeader;
  readonly steps: StepRecord[];
  /** True when a torn (unterminated, unparseable) last line was dropped. */
  readonly tornTail: boolean;
}

/** A fingerprint of weights: two 32-bit hashes of every f32 word and the shapes, as 16 hex digits. */
export function weightsHash(w: HostWeights): string {
  let h1 = 0x811c9dc5, h2 = 0x9747b28c;
  const mix = (x: number): void => {
    h1 = Math.imul(h1 ^ x, 0x01000193);
    h2 = Math.imul((h2 ^ x) + 0x7f4a7c15, 0x85ebca6b) ^ (h2 >>> 15);
  };
  for (const t of w.tensors) {
    for (const d of t.shape) mix(d);
    const u = new Uint32Array(t.data.buffer, t.data.byteOffset, t.data.length);
    for (let i = 0; i < u.length; i++) mix(u[i]!);
  }
  return (h1 >>> 0).toString(16).padStart(8, "0") + (h2 >>> 0).toString(16).padStart(8, "0");
}

/** One JSON line (with "\n") for the header. */
export function headerLine(h: Omit<TrajectoryHeader, "type" | "version">): string {
  return JSON.stringify({ type: "header", version: TRAJECTORY_VERSION, ...h }) + "\n";
}

/** One JSON line (with "\n") for a step; non-finite numbers are written as null. */
export function stepLine(r: StepRecord): string {
  return JSON.stringify({ type: "step", ...r }) + "\n";
}

const nums = (v: unknown): number[] => (Array.isArray(v) ? v.map((x) => (typeof x === "number" ? x : NaN)) : []);

function toRecord(o: Record<string, unknown>, where: string): StepRecord {
  const seeds = o.seeds, updates = o.updates;
  if (typeof o.step !== "number" || !Array.isArray(seeds) || !Array.isArray(updates) || typeof o.eps !== "number") {
    throw new RangeError(`${where}: a step line needs step, seeds, eps and updates`);
  }
  for (const u of updates as unknown[]) {
    const x = u as Record<string, unknown>;
    if (typeof x?.seed !== "number" || typeof x.coef !== "number" || typeof x.decay !== "number") throw new RangeError(`${where}: each update needs numeric seed, coef and decay`);
  }
  return {
    step: o.step,
    seeds: nums(seeds),
    g: nums(o.g),
    lossPlus: nums(o.lossPlus),
    lossMinus: nums(o.lossMinus),
    lr: typeof o.lr === "number" ? o.lr : NaN,
    eps: o.eps,
    wd: typeof o.wd === "number" ? o.wd : 0,
    loss: typeof o.loss === "number" ? o.loss : NaN,
    updates: updates as ZoUpdate[],
    skipped: o.skipped === true,
    ...(typeof o.reason === "string" ? { reason: o.reason } : {}),
    ms: typeof o.ms === "number" ? o.ms : NaN,
  };
}

/** Parses a trajectory file's text. `source` names it in errors. */
export function parseTrajectory(text: string, source = "trajectory.jsonl"): Trajectory {
  const lines = text.split("\n");
  const terminated = text.endsWith("\n");
  if (terminated) lines.pop();
  let tornTail = false;
  const parsed: Record<string, unknown>[] = [];
  lines.forEach((line, i) => {
    if (line.trim() === "") return;
    try {
      parsed.push(JSON.parse(line) as Record<string, unknown>);
    } catch (e) {
      if (i === lines.length - 1 && !terminated) tornTail = true;
      else throw new RangeError(`${source}:${i + 1}: not valid JSON (${(e as Error).message})`);
    }
  });
  const head = parsed[0];
  if (head === undefined || head.type !== "header") throw new RangeError(`${source}: the first line must be the header ({"type":"header",...})`);
  if (head.version !== TRAJECTORY_VERSION) throw new RangeError(`${source}: trajectory version ${String(head.version)}; this mazo reads version ${TRAJECTORY_VERSION}`);
  const steps = parsed.slice(1).map((o, k) => toRecord(o, `${source}:${k + 2}`));
  steps.forEach((r, k) => {
    if (r.step !== k) throw new RangeError(`${source}: line ${k + 2} is step ${r.step}, expected ${k} (steps must be consecutive from 0)`);
  });
  return { header: head as unknown as TrajectoryHeader, steps, tornTail };
}
