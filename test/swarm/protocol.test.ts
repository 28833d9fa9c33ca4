// The swarm's pure parts (no GPU, no server): run IDs and resource names, message decoding (null as
// NaN, bad messages named), batch shards and their weights, and the weighted combination of shard losses.
import { suite } from "uvu";
import * as assert from "uvu/assert";
import { combine } from "../../src/swarm/coordinator.ts";
import { checkRunId, msgIds, runNames } from "../../src/swarm/names.ts";
import { decodeHeader, decodeResult, decodeStep, decodeWork, encodeJson } from "../../src/swarm/protocol.ts";
import { batchWeight, restoresExactly, shardOf } from "../../src/swarm/replica.ts";
import type { RunBatch } from "../../src/train/prepare.ts";
import { stepLine } from "../../src/zo/trajectory.ts";

const s = suite("swarm protocol");

s("run IDs: letters, digits, - and _ only; names derive from the ID", () => {
  assert.is(checkRunId("run-1_a"), "run-1_a");
  assert.throws(() => checkRunId("a.b"), /use 1 to 64 letters/);
  assert.throws(() => checkRunId(""), RangeError);
  const n = runNames("x");
  assert.equal([n.trajStream, n.workStream, n.leaseBucket, n.objBucket], ["MAZO_RUN_x", "MAZO_WORK_x", "mazo_lease_x", "mazo_files_x"]);
  assert.is(msgIds.step("x", 3), "x/step/3");
  assert.is(msgIds.work("x", 3, 1, 0), "x/work/3/1/0");
});

s("a step record survives stepLine -> decodeStep, non-finite losses as NaN", () => {
  const rec = { step: 2, seeds: [5, 6], g: [0.5, NaN], lossPlus: [1, Infinity], lossMinus: [0.9, 1], lr: 1e-3, eps: 1e-3, wd: 0, loss: NaN, updates: [], skipped: true, reason: "non-finite loss at probe 1", ms: 3 };
  const back = decodeStep(new TextEncoder().encode(stepLine(rec)));
  assert.is(back.step, 2);
  assert.equal(back.seeds, [5, 6]);
  assert.ok(Number.isNaN(back.g[1]!) && Number.isNaN(back.lossPlus[1]!) && Number.isNaN(back.loss));
  assert.is(back.skipped, true);
  assert.is(back.reason, "non-finite loss at probe 1");
});

s("bad messages are refused with what was wrong", () => {
  assert.throws(() => decodeStep(encodeJson({ type: "step", step: 1 })), /needs type "step", step, seeds, eps and updates/);
  assert.throws(() => decodeWork(encodeJson({ step: 1, probe: "a", seed: 2 })), /integer step, probe and seed/);
  assert.throws(() => decodeHeader(encodeJson({ type: "header", extra: {} })), /not a swarm run header .*extra.swarm missing/);
  assert.throws(() => decodeResult(new TextEncoder().encode("[1,2]")), /not a JSON object/);
  assert.equal(decodeWork(encodeJson({ step: 1, probe: 2, seed: 3 })), { step: 1, probe: 2, seed: 3, shard: 0 });
});

const tasks = (n: number): RunBatch => ({ kind: "tasks", examples: Array.from({ length: n }, (_, i) => ({ i }) as never) });

s("shards split a batch into contiguous, non-empty, covering ranges; weights count examples or target tokens", () => {
  const sizes = [0, 1, 2].map((k) => batchWeight(shardOf(tasks(7), k, 3)));
  assert.equal(sizes, [2, 2, 3]);
  assert.throws(() => shardOf(tasks(2), 0, 3), /shard 0 of 3 of a batch of 2 is empty; use at most 2 shards/);
  assert.is(batchWeight(tasks(5)), 5);
  assert.is(batchWeight({ kind: "text", sequences: [{ tokens: [1, 2, 3], targets: [2, 3, -1] }, { tokens: [1, 4], targets: [4, -1] }] }), 3);
});

s("combine() averages shard losses by weight; one shard passes through unchanged", () => {
  const r = (lossPlus: number, lossMinus: number, weight: number) => ({ step: 0, probe: 0, seed: 0, lossPlus, lossMinus, shard: 0, weight, worker: "w", ms: 0 });
  assert.equal(combine([r(1.25, 1.5, 2)]), [1.25, 1.5]);
  assert.equal(combine([r(1, 2, 1), r(4, 5, 3)]), [13 / 4, 17 / 4]);
});

s("restoresExactly(): masked scopes and exact mode, not float mode", () => {
  assert.is(restoresExactly({ scope: { kind: "masked", exact: false } }), true);
  assert.is(restoresExactly({ scope: { kind: "full", exact: true } }), true);
  assert.is(restoresExactly({ scope: { kind: "full", exact: false } }), false);
  assert.is(restoresExactly({ scope: { kind: "lora", exact: false } }), false);
});

s.run();

const c = suite("swarm checkpoints");

c("encodeWeights -> decodeWeights round-trips names, shapes and f32 bits; damage is refused", async () => {
  const { encodeWeights, decodeWeights } = await import("../../src/swarm/checkpoint.ts");
  const w = { config: { dim: 2 } as never, tensors: [{ name: "a", shape: [2, 3], data: Float32Array.from([1, -2, 3.5, NaN, 0, -0]) }, { name: "b", shape: [1], data: Float32Array.from([7]) }] };
  const back = decodeWeights(encodeWeights(w));
  assert.equal(back.tensors.map((t) => [t.name, t.shape]), [["a", [2, 3]], ["b", [1]]]);
  assert.equal([...new Uint32Array(back.tensors[0]!.data.buffer)], [...new Uint32Array(w.tensors[0]!.data.buffer)]);
  const bytes = encodeWeights(w);
  assert.throws(() => decodeWeights(bytes.subarray(0, bytes.length - 4)), /runs past the end/);
  assert.throws(() => decodeWeights(new Uint8Array(2)), /too short/);
});

c.run();
