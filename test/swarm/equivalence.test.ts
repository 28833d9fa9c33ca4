// A swarm run over a real nats-server gives bit-identical weights to a single-process fineTune with the
// same seed and q on the same backend (stories260K, MeZO in float mode, where probe order matters, and
// MaZO on a tiny SST-2 split with its masks shared through the Object Store), with 1, 2 and 4 workers
// in this process; a worker whose base model differs is refused.
import process from "node:process";
import { suite } from "uvu";
import * as assert from "uvu/assert";
import { connectNats } from "../../src/swarm/node_connect.ts";
import { createRunResources, openRun } from "../../src/swarm/connection.ts";
import { exportRun } from "../../src/swarm/export.ts";
import { SwarmMismatchError } from "../../src/swarm/protocol.ts";
import { createSwarmRun } from "../../src/swarm/run.ts";
import { swarmStatus } from "../../src/swarm/status.ts";
import { runWorker } from "../../src/swarm/worker.ts";
import { fineTune } from "../../src/train/fine_tune.ts";
import type { FineTuneOptions } from "../../src/train/options.ts";
import { memorySink } from "../../src/train/sink.ts";
import { ZoAbortError } from "../../src/zo/trainer.ts";
import { gpuOrSkip, releaseAfterSuites } from "../harness/gpu.ts";
import { cloneWeights, loadStories } from "../gpu/zo_fixtures.ts";
import { NatsServer, natsServerOrSkip } from "./nats_server.ts";

const TEXTS = ["Once upon a time there was a little cat.", "The dog ran to the park to play.", "Lily saw a big red ball in the garden.", "Tom had a small boat on the lake.", "The sun was warm and the birds sang."];

const bin = natsServerOrSkip("swarm equivalence");
const ctx = bin === null ? null : await gpuOrSkip("swarm equivalence");
if (ctx) {
  const { weights, tokenizer } = await loadStories();
  const server = await NatsServer.start();
  const mezo = (): FineTuneOptions => ({ ctx, model: { weights, name: "stories260K" }, tokenizer, data: { texts: TEXTS, label: "texts" }, method: "mezo", steps: 3, batch: 2, maxLen: 16, trainer: { lr: 1e-3, seed: 7, probes: 4 } });
  const mazo = (): FineTuneOptions => ({ ctx, model: { weights, name: "stories260K" }, tokenizer, data: { tasks: ["sst2"], sizes: { train: 4, dev: 2, test: 2 } }, method: "mazo", steps: 3, batch: 2, maxLen: 32, trainer: { lr: 1e-3, seed: 5, probes: 3 }, skipBefore: true, evalEvery: 100, mask: { calibN: 4 } });
  const single = async (o: FineTuneOptions) => {
    const sink = memorySink();
    await fineTune({ ...o, sink });
    return { model: sink.files.get("model/model.safetensors")!, traj: new TextDecoder().decode(sink.files.get("trajectory.jsonl")) };
  };
  const gOf = (traj: string) => traj.trim().split("\n").slice(1).map((l) => (JSON.parse(l) as { g: number[] }).g);
  let runs = 0;
  const swarm = async (o: FineTuneOptions, workers: number, shards = 1) => {
    const id = `eq${runs++}`;
    const nc = await connectNats(server.url, "creator");
    const conn = await createRunResources(nc, id, { ackWaitMs: 2000, leaseMs: 2000 });
    await createSwarmRun(conn, o, shards === 1 ? "probe" : "data", () => {}, shards);
    const conns = await Promise.all(Array.from({ length: workers }, async (_, i) => openRun(await connectNats(server.url, `w${i}`), id)));
    const results = await Promise.all(conns.map((c, i) => runWorker({ conn: c, local: { ctx, weights, tokenizer, name: "stories260K" }, name: `w${i}` })));
    const out = memorySink();
    await exportRun(conn, { ctx, weights, tokenizer }, out);
    const status = await swarmStatus(conn);
    for (const c of conns) await c.close();
    await conn.close();
    return { results, model: out.files.get("model/model.safetensors")!, traj: new TextDecoder().decode(out.files.get("trajectory.jsonl")), status };
  };
  const ref = await single(mezo());
  const refMazo = await single(mazo());

  const s = suite("swarm (probe-parallel) vs single-process fineTune");
  for (const n of [1, 2, 4]) {
    s(`MeZO float mode, q=4, ${n} worker(s): same g per probe and byte-identical model.safetensors`, async () => {
      const got = await swarm(mezo(), n);
      assert.equal(gOf(got.traj), gOf(ref.traj), "projected gradients per step and probe");
      assert.ok(got.model.length > 0 && got.model.length === ref.model.length, "model.safetensors size");
      assert.ok(got.model.every((b, i) => b === ref.model[i]), "model.safetensors bytes differ from the single-process run");
      assert.is(got.status.committed, 3);
      assert.equal(got.status.disagree, [], "workers reported different weight hashes");
      const hashes = new Set(got.results.map((r) => r.hash));
      assert.is(hashes.size, 1, `workers' final weight hashes differ: ${got.results.map((r) => `${r.worker} ${r.hash}`).join(", ")}`);
      assert.is(got.results.reduce((a, r) => a + r.probes, 0) >= 12, true, "every probe of every step was evaluated");
    });
  }
  s("MaZO (masks through the Object Store), q=3, 2 workers: byte-identical model.safetensors", async () => {
    const got = await swarm(mazo(), 2);
    assert.equal(gOf(got.traj), gOf(refMazo.traj));
    assert.ok(got.model.every((b, i) => b === refMazo.model[i]), "model.safetensors bytes differ from the single-process run");
  });
  s("data-parallel MaZO, q=3, 2 shards, 2 workers: g within float rounding of the single process, workers bit-identical", async () => {
    const got = await swarm({ ...mazo(), batch: 4 }, 2, 2);
    const ref = await single({ ...mazo(), batch: 4 });
    const a = gOf(got.traj).flat(), b = gOf(ref.traj).flat();
    assert.is(a.length, b.length);
    const worst = Math.max(...a.map((x, i) => Math.abs(x - b[i]!) / Math.max(1e-3, Math.abs(b[i]!))));
    if (process.env.MAZO_TEST_VERBOSE === "1") console.log(`data-parallel: worst relative difference of g vs the single process ${worst.toExponential(2)}`);
    assert.ok(worst < 1e-3, `worst relative difference of g ${worst}`);
    assert.is(new Set(got.results.map((r) => r.hash)).size, 1, "workers' weights differ");
    assert.is(got.status.mode, "data");
  });
  s("data-parallel mode refuses a float-mode scope (MeZO)", async () => {
    const nc = await connectNats(server.url, "creator");
    const conn = await createRunResources(nc, `eq${runs++}`);
    try {
      await createSwarmRun(conn, mezo(), "data", () => {}, 2);
      assert.unreachable("created");
    } catch (e) {
      assert.match((e as Error).message, /data-parallel mode needs a scope whose restore is bit-exact/);
    } finally {
      await conn.close();
    }
  });
  s("non-finite losses: the run aborts as fineTune does (ZoAbortError), with the same committed records", async () => {
    const bad = (): FineTuneOptions => ({ ...mezo(), steps: 4, trainer: { lr: 1e300, seed: 7, probes: 2, maxNonFinite: 1 } });
    const sink = memorySink();
    let single: Error | undefined;
    await fineTune({ ...bad(), sink }).catch((e: Error) => (single = e));
    assert.instance(single, ZoAbortError);
    const id = `eq${runs++}`;
    const conn = await createRunResources(await connectNats(server.url, "creator"), id);
    await createSwarmRun(conn, bad());
    const c0 = await openRun(await connectNats(server.url, "w0"), id);
    try {
      await runWorker({ conn: c0, local: { ctx, weights, tokenizer } });
      assert.unreachable("the worker finished");
    } catch (e) {
      assert.instance(e, ZoAbortError);
    }
    const st = await swarmStatus(conn);
    const singleSteps = new TextDecoder().decode(sink.files.get("trajectory.jsonl")).trim().split("\n").length - 1;
    assert.is(st.committed, singleSteps, "steps committed vs lines in the single-process trajectory");
    await c0.close();
    await conn.close();
  });
  s("a worker with a different base model is refused with the two hashes", async () => {
    const id = `eq${runs++}`;
    const nc = await connectNats(server.url, "creator");
    const conn = await createRunResources(nc, id);
    await createSwarmRun(conn, { ...mezo(), steps: 1 });
    const other = cloneWeights(weights);
    other.tensors[0]!.data[0]! += 1e-3;
    try {
      await runWorker({ conn, local: { ctx, weights: other, tokenizer }, coordinate: false });
      assert.unreachable("the worker joined");
    } catch (e) {
      assert.instance(e, SwarmMismatchError);
      assert.match((e as Error).message, /base model .* has hash [0-9a-f]{16}, the run's base model .* has hash [0-9a-f]{16}/);
    } finally {
      await conn.close();
    }
  });
  s.after(() => server.destroy());
  s.run();
  releaseAfterSuites(ctx);
}

