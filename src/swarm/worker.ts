/**
 * A swarm worker: follows the run stream (header, then every committed step, applied in order to its
 * Replica), pulls work items from the run's work queue, evaluates L+ and L- of the item's probe on its
 * copy of the weights and publishes the result (Nats-Msg-Id run/result/t/j), then acks the item. An item
 * not acked within the ack wait (the worker died or hung) is redelivered to another worker; a worker
 * busy on an item says so (`working()`) every third of the ack wait. Each worker also tries to take the
 * coordinator lease whenever it is free, and coordinates while it holds it. Every `hashEvery` steps
 * (and at the end) it writes the hash of its weights to the run's KV state ("hash.<worker>").
 */
import type { JsMsg } from "@nats-io/jetstream";
import { millis } from "@nats-io/nats-core";
import { resolveFineTune } from "../train/options.ts";
import { type StepRecord, ZoAbortError } from "../zo/trainer.ts";
import { weightsHash } from "../zo/trajectory.ts";
import type { RunConnection } from "./connection.ts";
import { decodeWeights, encodeWeights } from "./checkpoint.ts";
import { ABORTED_KEY, CHECKPOINT_KEY, Coordinator, type CoordinatorEvent, retrying } from "./coordinator.ts";
import { msgIds } from "./names.ts";
import { decodeHeader, decodeStep, decodeWork, encodeJson, type ProbeResult, type SwarmHeader } from "./protocol.ts";
import { Replica, restoresExactly } from "./replica.ts";
import { type LocalModel, workerOptions } from "./run.ts";

/** Options of {@link runWorker}. */
export interface WorkerOptions {
  readonly conn: RunConnection;
  readonly local: LocalModel;
  /** This worker's name in results and KV (default: a random one). */
  readonly name?: string;
  /** Take the coordinator lease when it is free (default true). */
  readonly coordinate?: boolean;
  /** Steps between weight hashes written to KV (default 10; always after the last step). */
  readonly hashEvery?: number;
  readonly onEvent?: (e: WorkerEvent) => void;
  readonly signal?: AbortSignal;
  /** Fault injection for tests: hold the first work item forever, without acking it (default false). */
  readonly stallOnFirstItem?: boolean;
  /** Fault injection for tests: move this worker's weights off the run's after applying this many steps. */
  readonly corruptAfterStep?: number;
}

export type WorkerEvent =
  | { readonly type: "joined"; readonly worker: string; readonly header: SwarmHeader; readonly committed: number }
  | { readonly type: "probe"; readonly step: number; readonly probe: number; readonly lossPlus: number; readonly lossMinus: number; readonly ms: number }
  | { readonly type: "applied"; readonly step: number }
  | { readonly type: "resync"; readonly step: number; readonly from: string; readonly to: string }
  | { readonly type: "coordinator"; readonly event: CoordinatorEvent }
  | { readonly type: "warning"; readonly message: string };

export interface WorkerResult {
  readonly worker: string;
  readonly steps: number;
  /** Probes this worker evaluated, and their wall times (ms). */
  readonly probes: number;
  readonly probeMs: readonly number[];
  /** Rebuilds (float mode, a probe arrived after a later one). */
  readonly rebuilds: number;
  /** Re-syncs from a checkpoint (this worker's weight hash differed from the coordinator's). */
  readonly resyncs: number;
  /** weightsHash of the final weights (the model's parameter store). */
  readonly hash: string;
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** Joins the run and works until every step is committed and applied (or the signal aborts). */
export async function runWorker(o: WorkerOptions): Promise<WorkerResult> {
  const { conn } = o;
  const { names } = conn;
  const worker = o.name ?? `w-${Math.random().toString(36).slice(2, 10)}`;
  const emit = (e: WorkerEvent) => o.onEvent?.(e);
  const warn = (message: string) => emit({ type: "warning", message });
  const aborted = () => o.signal?.aborted === true;
  const hashEvery = o.hashEvery ?? 10;

  // The run stream: an ordered consumer from the first message (the header), kept open for new steps.
  const follow = await conn.js.consumers.get(names.trajStream);
  const stream = await follow.consume();
  const pending: StepRecord[] = [];
  let header: SwarmHeader | undefined;
  let wake: (() => void) | undefined;
  let followError: Error | undefined;
  const pump = (async () => {
    try {
      for await (const m of stream) {
        if (header === undefined) header = decodeHeader(m.data);
        else pending.push(decodeStep(m.data));
        wake?.();
      }
    } catch (e) {
      followError = e as Error;
      wake?.();
    }
  })();
  const waitForNews = (ms: number) => new Promise<void>((res) => {
    wake = res;
    setTimeout(res, ms);
  });
  while (header === undefined) {
    if (followError !== undefined) throw followError;
    o.signal?.throwIfAborted();
    await waitForNews(250);
  }
  const h: SwarmHeader = header;
  const { options, sink } = await workerOptions(conn, h, o.local);
  const r = resolveFineTune(options);
  const total = r.cfg.steps;
  const replica = await Replica.create(options, r, sink, restoresExactly(h));
  const ackWaitMs = millis((await conn.jsm.consumers.info(names.workStream, names.workConsumer)).config.ack_wait ?? 30e9);
  const work = await conn.js.consumers.get(names.workStream, names.workConsumer);
  emit({ type: "joined", worker, header: h, committed: pending.length });

  let coordinator: Coordinator | undefined;
  /** After a coordinator failure, wait one lease TTL before taking the role again. */
  let retryLeaseAt = 0;
  let coordinating: Promise<void> | undefined;
  const probeMs: number[] = [];
  // Checkpoints re-sync float-mode full and masked scopes; exact mode (grids set from the weights at
  // creation) and LoRA (adapters outside the hashed store) are not re-synced.
  const canResync = !h.scope.exact && h.lora === undefined;
  const myHashes = new Map<number, string>();
  const publishHash = async () => {
    const w = await replica.run.model.store.download(o.local.ctx);
    const hash = weightsHash(w);
    const step = replica.applied;
    myHashes.set(step, hash);
    await conn.state.put(`hash.${worker}`, JSON.stringify({ step, hash })).catch(() => {});
    if (coordinator !== undefined && canResync) {
      await conn.files.putBlob({ name: `weights/${step}` }, encodeWeights(w)).catch(() => undefined);
      await conn.state.put(CHECKPOINT_KEY, JSON.stringify({ step, hash })).catch(() => {});
    }
    return hash;
  };
  /** Compares this worker's hash with the latest checkpoint's at the same step; re-syncs when they differ. */
  const checkHash = async () => {
    if (!canResync || myHashes.size === 0 || coordinator !== undefined) return;
    // Wait (at most one lease TTL) for the coordinator's checkpoint of this worker's latest hash point,
    // so a deviating worker re-syncs before it evaluates the next step's probes.
    const latest = Math.max(...myHashes.keys());
    let ck: { step: number; hash: string } | undefined;
    for (const t0 = performance.now(); ;) {
      const e = await conn.state.get(CHECKPOINT_KEY).catch(() => null);
      ck = e !== null && e.operation === "PUT" ? e.json<{ step: number; hash: string }>() : undefined;
      if ((ck !== undefined && ck.step >= latest) || performance.now() - t0 > conn.leaseMs) break;
      await sleep(25);
    }
    if (ck === undefined) return;
    const mine = myHashes.get(ck.step);
    for (const k of [...myHashes.keys()]) if (k <= ck.step) myHashes.delete(k);
    if (mine === undefined || mine === ck.hash) return;
    const bytes = await conn.files.getBlob(`weights/${ck.step}`);
    if (bytes === null) return warn(`weights/${ck.step} is missing from the Object Store; cannot re-sync`);
    const w = decodeWeights(bytes);
    if (weightsHash(w) !== ck.hash) return warn(`weights/${ck.step} in the Object Store does not have the hash ${ck.hash}; not re-syncing`);
    await replica.resync(w, ck.step);
    const now = await publishHash();
    emit({ type: "resync", step: ck.step, from: mine, to: now });
  };
  const applyPending = async () => {
    if (pending.length === 0) return;
    const batch = pending.splice(0);
    await replica.commit(batch);
    emit({ type: "applied", step: replica.applied });
    if (o.corruptAfterStep !== undefined && batch.some((x) => x.step + 1 === o.corruptAfterStep)) replica.injectFault();
    const last = batch[batch.length - 1]!.step + 1;
    if (Math.floor(last / hashEvery) > Math.floor((last - batch.length) / hashEvery) && last < total) await publishHash();
  };

  let hash = "";
  try {
    while (true) {
      if (followError !== undefined) throw followError;
      o.signal?.throwIfAborted();
      await applyPending();
      await checkHash();
      if (replica.applied >= total) break;
      if (o.coordinate !== false && coordinator === undefined && performance.now() >= retryLeaseAt) {
        coordinator = await Coordinator.tryAcquire(conn, worker);
        if (coordinator !== undefined) {
          const c = coordinator;
          coordinating = c.run(o.local.ctx, h, aborted, (event) => emit({ type: "coordinator", event }))
            .catch((e: Error) => {
              warn(`coordinator: ${e.message}`);
              retryLeaseAt = performance.now() + conn.leaseMs;
            })
            .finally(async () => {
              await c.stop(true);
              coordinator = undefined;
            });
        }
      }
      let m: JsMsg | null;
      try {
        m = await work.next({ expires: 1000 });
      } catch (e) {
        if (aborted()) break;
        warn(`pulling work: ${(e as Error).message}`);
        await sleep(250);
        continue;
      }
      if (m === null) {
        const aborted = await conn.state.get(ABORTED_KEY).catch(() => null);
        if (aborted !== null && aborted.operation === "PUT") throw new ZoAbortError(`swarm run ${names.id}: ${aborted.string()}`, replica.lastRecord ?? pending[pending.length - 1]!);
        continue;
      }
      const item = decodeWork(m.data);
      if (item.step < replica.applied + pending.length) {
        m.ack();
        continue;
      }
      const msg = m;
      if (o.stallOnFirstItem === true) {
        warn(`stalling on step ${item.step} probe ${item.probe} (stallOnFirstItem)`);
        await new Promise(() => {});
      }
      const beat = setInterval(() => msg.working(), Math.max(50, ackWaitMs / 3));
      try {
        while (item.step > replica.applied) {
          await applyPending();
          if (item.step > replica.applied) await waitForNews(250);
          if (followError !== undefined) throw followError;
          o.signal?.throwIfAborted();
        }
        const t0 = performance.now();
        const [lossPlus, lossMinus, weight] = await replica.evaluate(item.step, item.probe, item.shard, h.extra.swarm.shards);
        const ms = performance.now() - t0;
        probeMs.push(ms);
        const res: ProbeResult = { step: item.step, probe: item.probe, seed: item.seed, lossPlus, lossMinus, shard: item.shard, weight, worker, ms };
        await retrying(() => conn.js.publish(`${names.resultPrefix}.${item.step}`, encodeJson(res), { msgID: msgIds.result(names.id, item.step, item.probe, item.shard) }), aborted, `publish result ${item.step}/${item.probe}`, warn);
        emit({ type: "probe", step: item.step, probe: item.probe, lossPlus, lossMinus, ms });
      } finally {
        clearInterval(beat);
      }
      // If the ack is lost (server restart), the item comes back and its result is deduplicated.
      await msg.ackAck().catch(() => false);
    }
    hash = await publishHash();
  } finally {
    await coordinator?.stop(true);
    await coordinating;
    await stream.close().catch(() => {});
    await pump;
    replica.destroy();
  }
  return { worker, steps: replica.applied, probes: probeMs.length, probeMs, rebuilds: replica.rebuilds, resyncs: replica.resyncs, hash };
}
