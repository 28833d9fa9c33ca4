/**
 * `mazo swarm start|worker|status|export`: a zeroth-order swarm over NATS JetStream (src/swarm,
 * docs/swarm.md). `start` creates a run from the same options as `mazo train`; `worker` joins it (Deno
 * or Node) and works until every step is committed; `status` prints where the run stands as JSON;
 * `export` writes the run folder as a single-process run writes it. This file only maps flags.
 */
import { readFileSync } from "node:fs";
import process from "node:process";
import { folderSink } from "../io/folder_sink.ts";
import { connectNats } from "../swarm/node_connect.ts";
import { createRunResources, openRun } from "../swarm/connection.ts";
import { exportRun } from "../swarm/export.ts";
import { createSwarmRun } from "../swarm/run.ts";
import { swarmStatus } from "../swarm/status.ts";
import { runWorker } from "../swarm/worker.ts";
import type { FineTuneOptions } from "../train/options.ts";
import { defaultLr, TEXT_METHODS, type TaskMethod } from "../train/options.ts";
import { parseTextJsonl } from "../zo/losses.ts";
import { type CliIO, type Command, numberOption, type OptionSpec, type OptionValues, requireString, UsageError } from "./command.ts";
import { contextFromOptions } from "./gpu_options.ts";
import { modelFromOptions } from "./model_options.ts";
import { resolveTaskSettings } from "./task_options.ts";
import { fineTuneFields, resolveTrainConfig, taskData, TRAIN_OPTIONS } from "./train_options.ts";

const SWARM_OPTIONS: Readonly<Record<string, OptionSpec>> = {
  ...TRAIN_OPTIONS,
  server: { type: "string", arg: "<nats://host:port>", default: "nats://127.0.0.1:4222", description: "NATS server(s) with JetStream (comma-separated)" },
  run: { type: "string", arg: "<ID>", description: "run ID (letters, digits, - and _)" },
  name: { type: "string", arg: "<name>", description: "worker: its name in results and KV (default random)" },
  "ack-wait": { type: "string", arg: "<ms>", default: "30000", description: "start: a work item not acked within this time is redelivered" },
  lease: { type: "string", arg: "<ms>", default: "5000", description: "start: coordinator lease TTL (another worker takes over this long after the holder died)" },
  mode: { type: "string", arg: "<probe|data>", choices: ["probe", "data"], default: "probe", description: "start: probe-parallel (a probe per work item) or data-parallel (a batch shard per item; masked methods or --exact)" },
  shards: { type: "string", arg: "<S>", default: "2", description: "start, data-parallel: shards per batch" },
  "no-coordinate": { type: "boolean", default: false, description: "worker: never take the coordinator lease" },
};

/** The FineTuneOptions of `mazo train`'s flags. */
async function trainOptions(v: OptionValues, io: CliIO): Promise<FineTuneOptions> {
  const { loaded, tokenizer } = await modelFromOptions(v, true);
  const ctx = await contextFromOptions(v, io);
  const model = { weights: loaded.weights, name: loaded.path };
  if (typeof v.data === "string") {
    const method = String(v.method ?? "mezo") as TaskMethod;
    if (!(TEXT_METHODS as readonly string[]).includes(method)) throw new UsageError(`--method with --data must be one of ${TEXT_METHODS.join(", ")}; got ${JSON.stringify(method)}`);
    const cfg = resolveTrainConfig(v, method, { steps: 100, lr: 1e-5, batch: 8 });
    return { ctx, model, tokenizer: tokenizer!, data: { texts: parseTextJsonl(readFileSync(v.data, "utf8"), v.data), label: v.data }, ...fineTuneFields(cfg) };
  }
  const method = String(v.method ?? "mazo");
  const settings = resolveTaskSettings(v, method);
  const cfg = resolveTrainConfig(v, settings.method, { steps: 200, lr: defaultLr(method), batch: 12 });
  return { ctx, model, tokenizer: tokenizer!, data: taskData(settings), ...fineTuneFields(cfg, settings) };
}

async function start(v: OptionValues, io: CliIO): Promise<number> {
  const id = requireString(v, "run");
  const server = String(v.server);
  const o = await trainOptions(v, io);
  const nc = await connectNats(server, `mazo-start-${id}`);
  try {
    const conn = await createRunResources(nc, id, { ackWaitMs: numberOption(v, "ack-wait", 30000, 100), leaseMs: numberOption(v, "lease", 5000, 100) });
    const mode = v.mode === "data" ? "data" : "probe";
    const shards = mode === "data" ? Math.floor(numberOption(v, "shards", 2, 2, 1 << 16)) : 1;
    const h = await createSwarmRun(conn, o, mode, (t) => io.err(`mazo swarm: ${t}`), shards);
    io.err(`mazo swarm: run ${id} created on ${server}: ${h.method}, ${mode}-parallel${mode === "data" ? ` (${shards} shards)` : ""}, ${h.extra.swarm.options.steps} steps, q=${h.extra.swarm.options.trainer?.probes ?? 1}, base model ${h.model.hash}${h.extra.swarm.maskHash !== undefined ? `, mask ${h.extra.swarm.maskHash.slice(0, 16)}` : ""}`);
    io.out(`mazo swarm worker --server ${server} --run ${id}${typeof v.model === "string" ? ` --model ${v.model}` : ""}`);
    await conn.close();
    return 0;
  } finally {
    o.ctx.destroy();
    if (!nc.isClosed()) await nc.close();
  }
}

async function worker(v: OptionValues, io: CliIO): Promise<number> {
  const id = requireString(v, "run");
  const { loaded, tokenizer } = await modelFromOptions(v, true);
  const ctx = await contextFromOptions(v, io);
  const conn = await openRun(await connectNats(String(v.server), `mazo-worker-${id}`), id);
  const stop = new AbortController();
  try {
    const quiet = v.quiet === true;
    const r = await runWorker({
      conn,
      local: { ctx, weights: loaded.weights, name: loaded.path, tokenizer: tokenizer!, ...(typeof v["data-dir"] === "string" ? { dataDir: v["data-dir"] } : {}) },
      ...(typeof v.name === "string" ? { name: v.name } : {}),
      coordinate: v["no-coordinate"] !== true,
      signal: stop.signal,
      // Fault injection for test/swarm/faults.test.ts: hold the first work item (then the test kills this process).
      stallOnFirstItem: process.env.MAZO_SWARM_TEST_STALL === "1",
      onEvent: (e) => {
        if (e.type === "warning") io.err(`mazo swarm: warning: ${e.message}`);
        else if (quiet) return;
        else if (e.type === "joined") io.err(`mazo swarm: ${e.worker} joined run ${id} (${e.header.method}); ${e.committed} steps committed so far`);
        else if (e.type === "probe") io.err(`mazo swarm: step ${e.step + 1} probe ${e.probe}: L+ ${e.lossPlus.toFixed(4)} L- ${e.lossMinus.toFixed(4)} (${e.ms.toFixed(0)} ms)`);
        else if (e.type === "coordinator" && e.event.type === "lease") io.err(`mazo swarm: coordinating from step ${e.event.from + 1}`);
        else if (e.type === "coordinator" && e.event.type === "commit") io.err(`mazo swarm: committed step ${e.event.step + 1}: loss ${e.event.loss.toFixed(4)} (${e.event.ms.toFixed(0)} ms)`);
      },
    });
    const msPerProbe = r.probes > 0 ? r.probeMs.reduce((a, b) => a + b, 0) / r.probes : NaN;
    io.out(JSON.stringify({ worker: r.worker, steps: r.steps, probes: r.probes, msPerProbe, rebuilds: r.rebuilds, hash: r.hash }));
    return 0;
  } finally {
    await conn.close();
    ctx.destroy();
  }
}

async function status(v: OptionValues, io: CliIO): Promise<number> {
  const id = requireString(v, "run");
  const conn = await openRun(await connectNats(String(v.server), `mazo-status-${id}`), id);
  try {
    io.out(JSON.stringify(await swarmStatus(conn), null, 2));
    return 0;
  } finally {
    await conn.close();
  }
}

async function exportCmd(v: OptionValues, io: CliIO): Promise<number> {
  const id = requireString(v, "run");
  const out = requireString(v, "out");
  const { loaded, tokenizer } = await modelFromOptions(v, true);
  const ctx = await contextFromOptions(v, io);
  const conn = await openRun(await connectNats(String(v.server), `mazo-export-${id}`), id);
  try {
    const r = await exportRun(conn, { ctx, weights: loaded.weights, name: loaded.path, tokenizer: tokenizer!, ...(typeof v["data-dir"] === "string" ? { dataDir: v["data-dir"] } : {}) }, folderSink(out));
    io.err(`mazo swarm: exported ${r.steps} committed steps of run ${id}`);
    for (const f of r.written) io.out(f);
    return 0;
  } finally {
    await conn.close();
    ctx.destroy();
  }
}

const ACTIONS: Readonly<Record<string, (v: OptionValues, io: CliIO) => Promise<number>>> = { start, worker, status, export: exportCmd };

export const swarmCommand: Command = {
  name: "swarm",
  summary: "train one model on many devices over NATS JetStream (seeds and scalars on the wire, never weights)",
  usage: "start --run <ID> [--server nats://...] [train options] | worker --run <ID> [--server ...] | status --run <ID> | export --run <ID> --out <dir>",
  options: SWARM_OPTIONS,
  positionals: true,
  run: (v, p, io) => {
    const action = ACTIONS[p[0] ?? ""];
    if (action === undefined || p.length !== 1) throw new UsageError(`give one action of ${Object.keys(ACTIONS).join(", ")}; got ${JSON.stringify(p)}`);
    return action(v, io);
  },
};
