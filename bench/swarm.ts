/**
 * Swarm scaling, probe-parallel: 1, 2, 4 and 8 workers (each with its own NATS connection and its own
 * copy of stories260K, all in this process on one GPU context) train MeZO with q probes per step through
 * a nats-server started here (JetStream, temp storage). Reports steps/s, bytes on the wire per step (the
 * sum of every connection's in + out bytes, the creator's excluded) and the mean time per probe.
 * In-process workers share one JS thread and one adapter, so on a 2-core machine this measures the
 * protocol's overhead and where scaling stops, not the speedup of N devices.
 *
 * Usage: npm run bench -- swarm [--workers 1,2,4,8] [--steps 4] [--probes 8]
 */
import { spawn } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import process from "node:process";
import { createGpuContext } from "../src/gpu/context.ts";
import { dataDir } from "../src/io/files.ts";
import { tokenizerFromFile } from "../src/io/tokenizer_file.ts";
import { loadModel } from "../src/model/load.ts";
import { connectNats } from "../src/swarm/node_connect.ts";
import { createRunResources, openRun } from "../src/swarm/connection.ts";
import { createSwarmRun } from "../src/swarm/run.ts";
import { runWorker } from "../src/swarm/worker.ts";

const arg = (name: string, d: string) => {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 ? process.argv[i + 1]! : d;
};
const counts = arg("workers", "1,2,4,8").split(",").map(Number);
const steps = Number(arg("steps", "4"));
const probes = Number(arg("probes", "8"));
const TEXTS = ["Once upon a time there was a little cat.", "The dog ran to the park to play.", "Lily saw a big red ball in the garden.", "Tom had a small boat on the lake."];

const dir = mkdtempSync(join(tmpdir(), "mazo-bench-nats-"));
const port = 20000 + Math.floor(Math.random() * 20000);
const server = spawn("nats-server", ["-js", "-a", "127.0.0.1", "-p", String(port), "-sd", dir], { stdio: "ignore" });
await new Promise((r) => setTimeout(r, 700));
const url = `nats://127.0.0.1:${port}`;
const ctx = await createGpuContext();
const sd = join(dataDir(), "stories260K");
const weights = (await loadModel(join(sd, "stories260K.bin"))).weights;
const tokenizer = await tokenizerFromFile(join(sd, "tok512.bin"));
console.log(`swarm bench: stories260K MeZO, ${steps} steps, q=${probes}, batch 2 x <=16 tokens, on ${ctx.info.description} via ${ctx.path}`);
console.log("workers | steps/s | bytes/step on the wire | mean ms/probe | probes per worker");
try {
  for (const n of counts) {
    const id = `bench${n}`;
    const creator = await createRunResources(await connectNats(url, "creator"), id);
    await createSwarmRun(creator, { ctx, model: { weights }, tokenizer, data: { texts: TEXTS }, method: "mezo", steps, batch: 2, maxLen: 16, trainer: { lr: 1e-3, seed: 1, probes } });
    const conns = await Promise.all(Array.from({ length: n }, async (_, i) => openRun(await connectNats(url, `w${i}`), id)));
    const t0 = performance.now();
    const rs = await Promise.all(conns.map((c, i) => runWorker({ conn: c, local: { ctx, weights, tokenizer }, name: `w${i}`, hashEvery: 1e9 })));
    const s = (performance.now() - t0) / 1000;
    const bytes = conns.reduce((a, c) => a + c.nc.stats().inBytes + c.nc.stats().outBytes, 0);
    const ms = rs.flatMap((r) => [...r.probeMs]);
    console.log(`${String(n).padStart(7)} | ${(steps / s).toFixed(2).padStart(7)} | ${(bytes / steps).toFixed(0).padStart(22)} | ${(ms.reduce((a, b) => a + b, 0) / ms.length).toFixed(0).padStart(13)} | ${rs.map((r) => r.probes).join(" ")}`);
    for (const c of conns) await c.close();
    await creator.close();
  }
} finally {
  ctx.destroy();
  server.kill("SIGTERM");
  await new Promise((r) => setTimeout(r, 300));
  rmSync(dir, { recursive: true, force: true });
}
