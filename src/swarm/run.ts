/**
 * Creating and reading a swarm run. `createSwarmRun` prepares the run once where it is started (data,
 * model, the method's scope, calibration and masks for the masked methods), publishes masks.json to the
 * run's Object Store and the header to the run stream: the trajectory header of a single-process run
 * with extra.swarm (the options, the base-model hash, the mask hash). `readTrajectory` reads the
 * stream back (header and committed steps); `workerOptions` turns the header into the FineTuneOptions
 * of a worker's own model, tokenizer and data folder, refusing a base model or mask that differs.
 */
import type { GpuContext } from "../gpu/context.ts";
import type { HostWeights } from "../model/weights.ts";
import type { Tokenizer } from "../tokenizer/types.ts";
import { type FineTuneOptions, resolveFineTune } from "../train/options.ts";
import { prepareRun } from "../train/prepare.ts";
import { runHeader } from "../train/run_header.ts";
import { memorySink, type RunSink } from "../train/sink.ts";
import { MASKS_FILE } from "../train/target.ts";
import type { StepRecord } from "../zo/trainer.ts";
import { headerLine, weightsHash } from "../zo/trajectory.ts";
import { type RunConnection } from "./connection.ts";
import { msgIds } from "./names.ts";
import { restoresExactly } from "./replica.ts";
import { decodeHeader, decodeStep, type SwarmHeader, type SwarmInfo, SwarmMismatchError, type SwarmMode, type SwarmOptions, sha256Hex } from "./protocol.ts";

const enc = new TextEncoder();

/** The JSON part of `o` (throws for a data reader function, which cannot travel). */
export function swarmOptions(o: FineTuneOptions): SwarmOptions {
  const { ctx: _c, model: _m, tokenizer: _t, sink: _s, onEvent: _e, signal: _g, resume: _r, config: _f, noWeights: _w, best: _b, skipBefore: _k, ...rest } = o;
  if ("read" in o.data && o.data.read !== undefined) throw new TypeError("swarm: data.read (a custom file reader) cannot be sent to workers; give dataDir instead");
  return JSON.parse(JSON.stringify(rest)) as SwarmOptions;
}

/** Creates run `conn.names.id` from `o` (the options a single-process fineTune would get); returns its header. */
export async function createSwarmRun(conn: RunConnection, o: FineTuneOptions, mode: SwarmMode = "probe", note: (t: string) => void = () => {}, shards = 1): Promise<SwarmHeader> {
  if (mode === "probe" && shards !== 1) throw new RangeError(`swarm: probe-parallel mode takes shards = 1, got ${shards}`);
  if (mode === "data" && !(Number.isInteger(shards) && shards >= 2)) throw new RangeError(`swarm: data-parallel mode needs an integer shards >= 2, got ${shards}`);
  const r = resolveFineTune(o);
  const options: SwarmOptions = { ...swarmOptions(o), steps: r.cfg.steps };
  const sink = memorySink();
  const run = await prepareRun(o, r, sink, false, note);
  let header: SwarmHeader;
  try {
    const modelHash = weightsHash(o.model.weights);
    const masks = sink.files.get(MASKS_FILE);
    let maskHash: string | undefined;
    if (masks !== undefined) {
      await conn.files.putBlob({ name: MASKS_FILE }, masks);
      maskHash = await sha256Hex(masks);
    }
    const base = runHeader(o, r, run, modelHash);
    if (mode === "data" && !restoresExactly(base)) {
      throw new RangeError(`swarm: data-parallel mode needs a scope whose restore is bit-exact (masked methods, or exact mode); ${base.method} in float mode would leave workers with different weights (evaluating one probe on several shards repeats its restore drift); use --exact or probe-parallel mode`);
    }
    if (mode === "data" && shards > r.cfg.batch) throw new RangeError(`swarm: ${shards} shards of a batch of ${r.cfg.batch}; use at most ${r.cfg.batch}`);
    const swarm: SwarmInfo = { version: 1, run: conn.names.id, mode, shards, options, modelHash, ...(maskHash !== undefined ? { maskHash } : {}), created: new Date().toISOString() };
    header = JSON.parse(headerLine({ ...base, extra: { ...base.extra, swarm } })) as SwarmHeader;
  } finally {
    run.destroy();
  }
  await conn.js.publish(conn.names.trajSubject, enc.encode(headerLine(header)), { msgID: msgIds.header(conn.names.id) });
  await conn.state.put("committed", "0");
  return header;
}

/** The run stream as text lines: the header line and every committed step line (with "\n"). */
export async function readTrajectoryLines(conn: RunConnection): Promise<string[]> {
  const info = await conn.jsm.streams.info(conn.names.trajStream);
  const last = info.state.last_seq;
  const lines: string[] = [];
  if (last === 0) return lines;
  const c = await conn.js.consumers.get(conn.names.trajStream);
  const dec = new TextDecoder();
  const it = await c.consume();
  for await (const m of it) {
    const t = dec.decode(m.data);
    lines.push(t.endsWith("\n") ? t : t + "\n");
    if (m.seq >= last) break;
  }
  await it.close();
  return lines;
}

/** The header and the committed steps of the run. */
export async function readTrajectory(conn: RunConnection): Promise<{ header: SwarmHeader; steps: StepRecord[] }> {
  const lines = await readTrajectoryLines(conn);
  if (lines.length === 0) throw new RangeError(`swarm run ${conn.names.id}: the run stream is empty (no header yet)`);
  const header = decodeHeader(enc.encode(lines[0]!));
  const steps = lines.slice(1).map((l) => decodeStep(enc.encode(l)));
  return { header, steps };
}

/** What a worker brings: its GPU context, its copy of the base model and tokenizer, and where its data lives. */
export interface LocalModel {
  readonly ctx: GpuContext;
  readonly weights: HostWeights;
  readonly name?: string;
  readonly tokenizer: Tokenizer;
  /** The task data folder on this machine (overrides the creator's). */
  readonly dataDir?: string;
  /** A masks.json this worker insists on (refused when it differs from the run's). */
  readonly masks?: Uint8Array;
}

/** The FineTuneOptions of this worker for the run, and the sink that serves the run's masks.json. */
export async function workerOptions(conn: RunConnection, header: SwarmHeader, local: LocalModel): Promise<{ options: FineTuneOptions; sink: RunSink }> {
  const info = header.extra.swarm;
  const hash = weightsHash(local.weights);
  if (hash !== header.model.hash) {
    throw new SwarmMismatchError(`swarm run ${info.run}: this worker's base model ${local.name ?? ""} has hash ${hash}, the run's base model ${header.model.path ?? ""} has hash ${header.model.hash}; join with the same base model file`);
  }
  const files = new Map<string, Uint8Array>();
  if (info.maskHash !== undefined) {
    const masks = await conn.files.getBlob(MASKS_FILE);
    if (masks === null) throw new RangeError(`swarm run ${info.run}: ${MASKS_FILE} is missing from the Object Store bucket ${conn.names.objBucket}`);
    const got = await sha256Hex(masks);
    if (got !== info.maskHash) throw new SwarmMismatchError(`swarm run ${info.run}: ${MASKS_FILE} in the Object Store has hash ${got}, the header says ${info.maskHash}; the run is damaged`);
    if (local.masks !== undefined) {
      const mine = await sha256Hex(local.masks);
      if (mine !== info.maskHash) throw new SwarmMismatchError(`swarm run ${info.run}: this worker's mask file has hash ${mine}, the run's mask has hash ${info.maskHash}; join without --masks or with the run's masks.json`);
    }
    files.set(MASKS_FILE, masks);
  } else if (local.masks !== undefined) {
    throw new SwarmMismatchError(`swarm run ${info.run}: this worker brings a mask file but the run (${header.method}) has none`);
  }
  const data = "tasks" in info.options.data && local.dataDir !== undefined ? { ...info.options.data, dataDir: local.dataDir } : info.options.data;
  const options: FineTuneOptions = { ...info.options, data, ctx: local.ctx, model: { weights: local.weights, ...(local.name !== undefined ? { name: local.name } : {}) }, tokenizer: local.tokenizer };
  return { options, sink: memorySink(files) };
}
