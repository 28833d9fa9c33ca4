/**
 * The messages of a swarm run, all JSON: the run header (a trajectory header whose extra.swarm holds
 * the run's options and hashes), work items, probe results, and step records (trajectory.jsonl step
 * lines, decoded here with null read back as NaN).
 */
import type { FineTuneOptions } from "../train/options.ts";
import type { StepRecord, ZoUpdate } from "../zo/trainer.ts";
import type { TrajectoryHeader } from "../zo/trajectory.ts";

/** The JSON part of FineTuneOptions a swarm run is created from (no GPU context, weights, tokenizer, sink or callbacks). */
export type SwarmOptions = Omit<FineTuneOptions, "ctx" | "model" | "tokenizer" | "sink" | "onEvent" | "signal" | "resume" | "config" | "noWeights" | "best" | "skipBefore">;

/**
 * How work is split: "probe" (probe-parallel: one work item per probe, the whole batch each) or "data"
 * (data-parallel: one item per probe and batch shard, losses averaged by example or target-token count).
 */
export type SwarmMode = "probe" | "data";

/** What the header's extra.swarm holds. */
export interface SwarmInfo {
  readonly version: 1;
  readonly run: string;
  readonly mode: SwarmMode;
  /** Data-parallel: shards per batch (1 in probe-parallel mode). */
  readonly shards: number;
  readonly options: SwarmOptions;
  /** weightsHash of the base model (also header.model.hash). */
  readonly modelHash: string;
  /** SHA-256 of masks.json in the Object Store (absent for methods without masks). */
  readonly maskHash?: string;
  readonly created: string;
}

/** The run header: a trajectory header with extra.swarm. */
export type SwarmHeader = TrajectoryHeader & { readonly extra: { readonly swarm: SwarmInfo } & Readonly<Record<string, unknown>> };

/** One probe of one step to evaluate. */
export interface WorkItem {
  readonly step: number;
  readonly probe: number;
  readonly seed: number;
  /** Data-parallel: the batch shard (0..shards-1); 0 in probe-parallel mode. */
  readonly shard: number;
}

/** A worker's L+ and L- for one probe (non-finite losses travel as null). */
export interface ProbeResult {
  readonly step: number;
  readonly probe: number;
  readonly seed: number;
  readonly lossPlus: number;
  readonly lossMinus: number;
  readonly shard: number;
  /** What the shard's loss is averaged over: examples (task data) or target tokens (text). */
  readonly weight: number;
  readonly worker: string;
  /** Wall time of the probe on the worker. */
  readonly ms: number;
}

const enc = new TextEncoder();
const dec = new TextDecoder();

export function encodeJson(x: unknown): Uint8Array {
  return enc.encode(JSON.stringify(x));
}

export function decodeJson(b: Uint8Array, what: string): Record<string, unknown> {
  try {
    const v = JSON.parse(dec.decode(b)) as unknown;
    if (typeof v !== "object" || v === null || Array.isArray(v)) throw new TypeError("not a JSON object");
    return v as Record<string, unknown>;
  } catch (e) {
    throw new TypeError(`swarm: ${what} is not a JSON object (${(e as Error).message})`);
  }
}

const num = (v: unknown): number => (typeof v === "number" ? v : NaN);
const nums = (v: unknown): number[] => (Array.isArray(v) ? v.map(num) : []);

/** A work item message. */
export function decodeWork(b: Uint8Array): WorkItem {
  const o = decodeJson(b, "work item");
  if (!Number.isInteger(o.step) || !Number.isInteger(o.probe) || !Number.isInteger(o.seed)) throw new TypeError(`swarm: work item needs integer step, probe and seed, got ${JSON.stringify(o)}`);
  const shard = o.shard ?? 0;
  if (!Number.isInteger(shard)) throw new TypeError(`swarm: work item shard must be an integer, got ${JSON.stringify(o.shard)}`);
  return { step: o.step as number, probe: o.probe as number, seed: o.seed as number, shard: shard as number };
}

/** A probe result message. */
export function decodeResult(b: Uint8Array): ProbeResult {
  const o = decodeJson(b, "probe result");
  if (!Number.isInteger(o.step) || !Number.isInteger(o.probe)) throw new TypeError(`swarm: probe result needs integer step and probe, got ${JSON.stringify(o)}`);
  return { step: o.step as number, probe: o.probe as number, seed: num(o.seed), lossPlus: num(o.lossPlus), lossMinus: num(o.lossMinus), shard: typeof o.shard === "number" ? o.shard : 0, weight: typeof o.weight === "number" ? o.weight : 1, worker: String(o.worker ?? "?"), ms: num(o.ms) };
}

/** A step record message (a trajectory.jsonl step line). */
export function decodeStep(b: Uint8Array): StepRecord {
  const o = decodeJson(b, "step record");
  if (o.type !== "step" || !Number.isInteger(o.step) || !Array.isArray(o.seeds) || !Array.isArray(o.updates) || typeof o.eps !== "number") {
    throw new TypeError(`swarm: a step record needs type "step", step, seeds, eps and updates`);
  }
  const updates = (o.updates as Record<string, unknown>[]).map((u): ZoUpdate => ({ seed: num(u.seed), coef: num(u.coef), decay: num(u.decay) }));
  return {
    step: o.step as number,
    seeds: nums(o.seeds),
    g: nums(o.g),
    lossPlus: nums(o.lossPlus),
    lossMinus: nums(o.lossMinus),
    lr: num(o.lr),
    eps: o.eps,
    wd: num(o.wd),
    loss: num(o.loss),
    updates,
    skipped: o.skipped === true,
    ...(typeof o.reason === "string" ? { reason: o.reason } : {}),
    ms: num(o.ms),
  };
}

/** The run header message. */
export function decodeHeader(b: Uint8Array): SwarmHeader {
  const o = decodeJson(b, "run header");
  const extra = o.extra as Record<string, unknown> | undefined;
  const sw = extra?.swarm as Record<string, unknown> | undefined;
  if (o.type !== "header" || sw === undefined || sw.version !== 1) throw new TypeError(`swarm: the run stream's first message is not a swarm run header (type ${JSON.stringify(o.type)}, extra.swarm ${sw === undefined ? "missing" : `version ${JSON.stringify(sw.version)}`})`);
  return o as unknown as SwarmHeader;
}

/** Lowercase hex SHA-256 of `bytes` (WebCrypto: Deno, Node, browsers). */
export async function sha256Hex(bytes: Uint8Array): Promise<string> {
  const d = new Uint8Array(await crypto.subtle.digest("SHA-256", bytes as Uint8Array<ArrayBuffer>));
  return [...d].map((x) => x.toString(16).padStart(2, "0")).join("");
}

/** Thrown when a worker's base model or mask differs from the run's. */
export class SwarmMismatchError extends Error {
  override readonly name = "SwarmMismatchError";
}
