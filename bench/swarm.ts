/**
 * Swarm scaling, probe-parallel: 1, 2, 4 and 8 workers (each with its own NATS connection and its own
 * copy of stories260K, all in this process on one GPU context) train MeZO with q probes per step through
 * a nats-server started here (JetStream, temp storage). Reports steps/s, bytes on the wire per step (the
 * sum of every connection's in + out bytes, the creator's excluded) and the mean time per probe.
 * In-process workers share one JS thread and one adapter, so on a 2-core machine this measures the
 * protocol's overhead and where scaling stops, not the speedup of N devices.
 *
 * With --processes each worker is a `mazo swarm worker` process (Deno) instead: steps/s from the run
 * stream's timestamps (first to last commit, startup excluded), bytes from the server's /varz
 * (in + out, startup reads included), ms/probe from each worker's closing line.
 *
 * Usage: npm run bench -- swarm [--workers 1,2,4,8] [--steps 4] [--probes 8] [--processes]
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
const monitor = port + 1;
const server = spawn("nats-server", ["-js", "-a", "127.0.0.1", "-p", String(port), "-m", String(monitor), "-sd", dir], { stdio: "ignore" });
const processes = process.argv.includes("--processes");
const varzBytes = async () => {
  const v = (await (await fetch(`http://127.0.0.1:${monitor}/varz`)).json()) as { in_bytes: number; out_bytes: number };
  return v.in_bytes + v.out_bytes;
};
await new Promise((r) => setTimeout(r, 700));
const url = `nats://127.0.0.1:${port}`;
const ctx = await createGpuContext();
const sd = join(dataDir(), "stories260K");
const weights = (await loadModel(join(sd, "stories260K.bin"))).weights;
const tokenizer = await tokenizerFromFile(join(sd, "tok512.bin"));
console.log(`swarm bench (${processes ? "one process per worker" : "workers in this process"}): stories260K MeZO, ${steps} steps, q=${probes}, batch 2 x <=16 tokens, on ${ctx.info.description} via ${ctx.path}`);
console.log("workers | steps/s | bytes/step on the wire | mean ms/probe | probes per worker");
try {
  for (const n of counts) {
    const id = `bench${n}`;
    const creator = await createRunResources(await connectNats(url, "creator"), id);
    await createSwarmRun(creator, { ctx, model: { weights }, tokenizer, data: { texts: TEXTS }, method: "mezo", steps, batch: 2, maxLen: 16, trainer: { lr: 1e-3, seed: 1, probes } });
    if (processes) {
      const b0 = await varzBytes();
      const root = new URL("..", import.meta.url).pathname;
      const outs = await Promise.all(Array.from({ length: n }, (_, i) => new Promise<string>((res, rej) => {
        const p = spawn(process.execPath, ["run", "-A", "--quiet", join(root, "src/cli/main.ts"), "swarm", "worker", "--server", url, "--run", id, "--name", `w${i}`, "-q"], { stdio: ["ignore", "pipe", "inherit"] });
        let out = "";
        p.stdout!.on("data", (d: Buffer) => (out += d.toString()));
        p.on("exit", (code) => (code === 0 ? res(out) : rej(new Error(`worker ${i} exited with ${code}`))));
      })));
      const bytes = (await varzBytes()) - b0;
      const info = await creator.jsm.streams.info(creator.names.trajStream);
      const t = async (seq: number) => (await creator.jsm.streams.getMessage(creator.names.trajStream, { seq }))!.time.getTime();
      const s = (await t(info.state.last_seq) - (await t(2))) / 1000;
      const rs = outs.map((o) => JSON.parse(o.trim().split("\n").pop()!) as { probes: number; msPerProbe: number });
      const ms = rs.reduce((a, r) => a + r.msPerProbe * r.probes, 0) / rs.reduce((a, r) => a + r.probes, 0);
      console.log(`${String(n).padStart(7)} | ${((steps - 1) / s).toFixed(2).padStart(7)} | ${(bytes / steps).toFixed(0).padStart(22)} | ${ms.toFixed(0).padStart(13)} | ${rs.map((r) => r.probes).join(" ")}`);
      await creator.close();
      continue;
    }
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
