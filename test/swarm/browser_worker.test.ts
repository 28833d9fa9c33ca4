// A browser tab joins a swarm run over WebSocket (src/swarm/page_worker.ts, bundled by build/swarm_page.mjs)
// next to a worker in this process (TCP): the run completes, both workers end with the same weight hash,
// and the exported weights are compared with a single-process fineTune (printed; equal on one backend).
// Runs from Node only (it drives headless Chromium, like test/browser/); skips visibly without
// nats-server, Chromium or an adapter.
import { spawnSync } from "node:child_process";
import { join } from "node:path";
import process from "node:process";
import { suite } from "uvu";
import * as assert from "uvu/assert";
import { connectNats } from "../../src/swarm/node_connect.ts";
import { createRunResources, openRun } from "../../src/swarm/connection.ts";
import { exportRun } from "../../src/swarm/export.ts";
import { createSwarmRun } from "../../src/swarm/run.ts";
import { runWorker } from "../../src/swarm/worker.ts";
import { fineTune } from "../../src/train/fine_tune.ts";
import type { FineTuneOptions } from "../../src/train/options.ts";
import { memorySink } from "../../src/train/sink.ts";
import { gpuOrSkip, releaseAfterSuites } from "../harness/gpu.ts";
import { loadStories } from "../gpu/zo_fixtures.ts";
import { repoRoot } from "../browser/chromium.ts";
import { openServedPage } from "../browser/session.ts";
import { NatsServer, natsServerOrSkip } from "./nats_server.ts";

const TEXTS = ["Once upon a time there was a little cat.", "The dog ran to the park to play.", "Lily saw a big red ball in the garden.", "Tom had a small boat on the lake."];

const deno = "Deno" in globalThis;
if (deno) console.log("SKIP swarm browser worker: runs from Node only (headless Chromium, like test/browser/)");
const bin = deno ? null : natsServerOrSkip("swarm browser worker");
const ctx = bin === null ? null : await gpuOrSkip("swarm browser worker");
const served = ctx === null ? null : await openServedPage("swarm browser worker");
// The page of examples/swarm/ is the one a user opens; the test drives the same bundle.
if (ctx && served) {
  const root = repoRoot();
  const built = spawnSync(process.execPath, [join(root, "build/swarm_page.mjs")], { encoding: "utf8" });
  if (built.status !== 0) throw new Error(`build/swarm_page.mjs failed: ${built.stderr}`);
  const { weights, tokenizer } = await loadStories();
  const server = await NatsServer.start({ websocket: true });
  const o: FineTuneOptions = { ctx, model: { weights, name: "stories260K" }, tokenizer, data: { texts: TEXTS, label: "texts" }, method: "mezo", steps: 3, batch: 2, maxLen: 16, trainer: { lr: 1e-3, seed: 21, probes: 4 } };

  const s = suite("swarm: a browser tab as a worker (WebSocket)");
  s("a page and a Node worker train one run together and end with the same weights", async () => {
    const conn = await createRunResources(await connectNats(server.url, "creator"), "tab", { ackWaitMs: 5000, leaseMs: 3000 });
    await createSwarmRun(conn, o);
    const page = served.page.evaluate(async (a) => {
      const m = (await import(a.bundle)) as { joinSwarmFromPage: (x: unknown) => Promise<{ hash: string; probes: number; adapter: string }> };
      return await m.joinSwarmFromPage({ server: a.ws, run: "tab", modelUrl: a.model, tokenizerUrl: a.tok, name: "tab", coordinate: false });
    }, { bundle: `${served.origin}/.build/browser/swarm_worker.js`, ws: server.wsUrl, model: `${served.origin}/data/stories260K/stories260K.bin`, tok: `${served.origin}/data/stories260K/tok512.bin` });
    // Start the Node worker (and so the coordinator) once the tab is pulling work, so the tab gets items.
    for (let i = 0; i < 600 && (await conn.jsm.consumers.info(conn.names.workStream, conn.names.workConsumer)).num_waiting < 1; i++) await new Promise((r) => setTimeout(r, 100));
    const c0 = await openRun(await connectNats(server.url, "w0"), "tab");
    const [tab, w0] = await Promise.all([page, runWorker({ conn: c0, local: { ctx, weights, tokenizer }, name: "node" })]);
    if (process.env.MAZO_TEST_VERBOSE === "1") console.log(`tab: ${tab.probes} probes on ${tab.adapter}, hash ${tab.hash}; node: ${w0.probes} probes, hash ${w0.hash}`);
    assert.is(tab.hash, w0.hash, "the page's weights differ from the Node worker's");
    assert.is(tab.probes + w0.probes >= 12, true);
    assert.ok(tab.probes > 0, "the tab evaluated no probe");
    const out = memorySink();
    await exportRun(conn, { ctx, weights, tokenizer }, out);
    const sink = memorySink();
    await fineTune({ ...o, sink });
    const a = out.files.get("model/model.safetensors")!, b = sink.files.get("model/model.safetensors")!;
    const same = a.length === b.length && a.every((x, i) => x === b[i]);
    const gOf = (t: Uint8Array | undefined) => new TextDecoder().decode(t).trim().split("\n").slice(1).flatMap((l) => (JSON.parse(l) as { g: number[] }).g);
    const ga = gOf(out.files.get("trajectory.jsonl")), gb = gOf(sink.files.get("trajectory.jsonl"));
    const worst = Math.max(...ga.map((x, i) => Math.abs(x - gb[i]!) / Math.max(1e-3, Math.abs(gb[i]!))));
    console.log(`  worst relative difference of g, swarm (tab + node) vs single process: ${worst.toExponential(2)}`);
    console.log(`  swarm with a browser tab (${tab.probes} of ${tab.probes + w0.probes} probes) vs single process: model.safetensors ${same ? "byte-identical" : "differs (the tab's losses come from another backend)"}`);
    await c0.close();
    await conn.close();
  });
  s.after(async () => {
    await served.close();
    await server.destroy();
  });
  s.run();
  releaseAfterSuites(ctx);
} else if (served) await served.close();
