// Faults of a swarm run over a real nats-server, each ending with the single-process weights bit for
// bit: a worker SIGKILLed while it holds a work item (the item is redelivered after the ack wait), a
// worker joining late (it catches up by replay and contributes), the coordinator SIGKILLed (another
// worker takes the lease after its TTL) and nats-server restarted mid-run (file storage survives, the
// clients reconnect). Killed workers are `mazo swarm worker` processes; the others run in this process.
import { type ChildProcess, spawn } from "node:child_process";
import { join } from "node:path";
import process from "node:process";
import { suite } from "uvu";
import * as assert from "uvu/assert";
import { connectNats } from "../../src/swarm/node_connect.ts";
import { createRunResources, openRun, type RunConnection } from "../../src/swarm/connection.ts";
import { exportRun } from "../../src/swarm/export.ts";
import { createSwarmRun } from "../../src/swarm/run.ts";
import { runWorker, type WorkerEvent } from "../../src/swarm/worker.ts";
import { fineTune } from "../../src/train/fine_tune.ts";
import type { FineTuneOptions } from "../../src/train/options.ts";
import { memorySink } from "../../src/train/sink.ts";
import { gpuOrSkip, releaseAfterSuites } from "../harness/gpu.ts";
import { loadStories } from "../gpu/zo_fixtures.ts";
import { NatsServer, natsServerOrSkip } from "./nats_server.ts";

const TEXTS = ["Once upon a time there was a little cat.", "The dog ran to the park to play.", "Lily saw a big red ball in the garden.", "Tom had a small boat on the lake."];
const verbose = process.env.MAZO_TEST_VERBOSE === "1";

/** `mazo swarm worker` as a child process (Deno: src/cli/main.ts; Node: the CLI bundle); resolves `seen(re)` on output. */
function spawnWorker(url: string, run: string, env: Record<string, string> = {}): { proc: ChildProcess; seen: (re: RegExp) => Promise<void> } {
  const root = process.cwd();
  const deno = "Deno" in globalThis;
  const args = deno ? ["run", "-A", "--quiet", join(root, "src/cli/main.ts")] : [join(root, ".build/node/cli.mjs")];
  const proc = spawn(process.execPath, [...args, "swarm", "worker", "--server", url, "--run", run], { env: { ...process.env, ...env }, stdio: ["ignore", "pipe", "pipe"] });
  let text = "";
  const waiters: { re: RegExp; res: () => void }[] = [];
  const on = (b: Buffer) => {
    text += b.toString();
    if (verbose) process.stderr.write(`[child] ${b.toString()}`);
    for (const w of waiters.splice(0)) (w.re.test(text) ? w.res() : waiters.push(w));
  };
  proc.stdout!.on("data", on);
  proc.stderr!.on("data", on);
  return { proc, seen: (re) => new Promise<void>((res) => (re.test(text) ? res() : waiters.push({ re, res }))) };
}

const bin = natsServerOrSkip("swarm faults");
const ctx = bin === null ? null : await gpuOrSkip("swarm faults");
if (ctx) {
  const { weights, tokenizer } = await loadStories();
  const server = await NatsServer.start();
  const base = (steps: number): FineTuneOptions => ({ ctx, model: { weights, name: "stories260K" }, tokenizer, data: { texts: TEXTS, label: "texts" }, method: "mezo", steps, batch: 2, maxLen: 16, trainer: { lr: 1e-3, seed: 11, probes: 2 } });
  const single = async (o: FineTuneOptions) => {
    const sink = memorySink();
    await fineTune({ ...o, sink });
    return sink.files.get("model/model.safetensors")!;
  };
  const local = { ctx, weights, tokenizer, name: "stories260K" };
  const newRun = async (id: string, steps: number): Promise<RunConnection> => {
    const conn = await createRunResources(await connectNats(server.url, "creator"), id, { ackWaitMs: 1500, leaseMs: 1500 });
    await createSwarmRun(conn, base(steps));
    return conn;
  };
  const exported = async (conn: RunConnection) => {
    const out = memorySink();
    await exportRun(conn, local, out);
    return out.files.get("model/model.safetensors")!;
  };
  const same = (a: Uint8Array, b: Uint8Array) => a.length === b.length && a.every((x, i) => x === b[i]);
  const ref6 = await single(base(6));

  const s = suite("swarm faults");

  s("a worker SIGKILLed holding a work item: redelivered, no step lost or doubled; a late joiner replays and contributes", async () => {
    const conn = await newRun("kill1", 6);
    const child = spawnWorker(server.url, "kill1", { MAZO_SWARM_TEST_STALL: "1" });
    await child.seen(/joined run kill1/);
    const events: WorkerEvent[] = [];
    const c0 = await openRun(await connectNats(server.url, "w0"), "kill1");
    const w0 = runWorker({ conn: c0, local, name: "w0", onEvent: (e) => events.push(e) });
    await child.seen(/stalling on step/);
    child.proc.kill("SIGKILL");
    // Join late, once a step is committed.
    while (!events.some((e) => e.type === "applied" && e.step >= 1)) await new Promise((r) => setTimeout(r, 100));
    const late: WorkerEvent[] = [];
    const c2 = await openRun(await connectNats(server.url, "w2"), "kill1");
    const w2 = await runWorker({ conn: c2, local, name: "late", coordinate: false, onEvent: (e) => late.push(e) });
    const r0 = await w0;
    const joined = late.find((e) => e.type === "joined");
    assert.ok(joined !== undefined && joined.type === "joined" && joined.committed >= 1, "the late worker found committed steps to replay");
    assert.is(r0.hash, w2.hash, "both workers hold the same weights");
    assert.ok(w2.probes > 0, "the late worker evaluated no probe");
    assert.is(r0.steps, 6);
    assert.ok(same(await exported(conn), ref6), "weights differ from the single-process run");
    for (const c of [c0, c2, conn]) await c.close();
  });

  s("the coordinator SIGKILLed: another worker takes the lease and finishes; nats-server restarted mid-run", async () => {
    const conn = await newRun("kill2", 6);
    const child = spawnWorker(server.url, "kill2");
    await child.seen(/coordinating from step 1/);
    const events: { t: number; e: WorkerEvent }[] = [];
    const c0 = await openRun(await connectNats(server.url, "w0"), "kill2");
    const w0 = runWorker({ conn: c0, local, name: "w0", onEvent: (e) => events.push({ t: performance.now(), e }) });
    await child.seen(/committed step 2/);
    const killedAt = performance.now();
    child.proc.kill("SIGKILL");
    while (!events.some(({ e }) => e.type === "coordinator" && e.event.type === "lease")) await new Promise((r) => setTimeout(r, 50));
    const took = events.find(({ e }) => e.type === "coordinator" && e.event.type === "lease")!;
    if (verbose) console.log(`lease taken over ${(took.t - killedAt).toFixed(0)} ms after the SIGKILL (TTL 1500 ms)`);
    while (!events.some(({ e }) => e.type === "applied" && e.step >= 4)) await new Promise((r) => setTimeout(r, 50));
    await server.restart();
    const r0 = await w0;
    assert.is(r0.steps, 6);
    assert.ok(same(await exported(conn), ref6), "weights differ from the single-process run");
    for (const c of [c0, conn]) await c.close();
  });

  s("a worker whose weights deviate re-syncs from the coordinator's checkpoint in the Object Store", async () => {
    const conn = await newRun("drift", 6);
    const c0 = await openRun(await connectNats(server.url, "w0"), "drift");
    const c1 = await openRun(await connectNats(server.url, "w1"), "drift");
    const w0 = runWorker({ conn: c0, local, name: "w0", hashEvery: 1 });
    await new Promise((r) => setTimeout(r, 300));
    const events: WorkerEvent[] = [];
    const w1 = await runWorker({ conn: c1, local, name: "w1", hashEvery: 1, coordinate: false, corruptAfterStep: 1, onEvent: (e) => events.push(e) });
    const r0 = await w0;
    const re = events.find((e) => e.type === "resync");
    assert.ok(re !== undefined && re.type === "resync" && re.from !== re.to, "the corrupted worker did not re-sync");
    assert.is(w1.resyncs >= 1, true);
    assert.is(w1.hash, r0.hash, "weights differ after the re-sync");
    assert.ok(same(await exported(conn), ref6), "weights differ from the single-process run");
    for (const c of [c0, c1, conn]) await c.close();
  });

  s.after(() => server.destroy());
  s.run();
  releaseAfterSuites(ctx);
}
