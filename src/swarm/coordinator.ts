/**
 * The coordinator role of a swarm run, held by one worker at a time through a KV lease: the key
 * "coordinator" in a bucket whose entries expire after the lease TTL. The holder renews it every third
 * of the TTL (a compare-and-set on the revision, so a holder that lost it notices); any worker creates
 * the key when it is absent, i.e. when the holder died and its entry expired. Holding it, a worker
 * publishes each step's work items (one per probe), collects the probe results, computes the step
 * record (StepCommitter: the real trainer over the scalars) and commits it to the run stream with
 * Nats-Msg-Id run/step/t, so a step committed twice (two holders, a retry after a reconnect) is stored
 * once and every worker applies it once, in order.
 */
import type { GpuContext } from "../gpu/context.ts";
import { stepLine } from "../zo/trajectory.ts";
import { type StepRecord, ZoAbortError, type ZoTrainerOptions } from "../zo/trainer.ts";
import { StepCommitter } from "./committer.ts";
import type { RunConnection } from "./connection.ts";
import { msgIds } from "./names.ts";
import { decodeResult, encodeJson, type ProbeResult, type SwarmHeader, type WorkItem } from "./protocol.ts";
import { readTrajectory } from "./run.ts";
import { probeSeed } from "../zo/seeds.ts";

const LEASE_KEY = "coordinator";
/** State key of the latest weight checkpoint, {step, hash} (its weights: "weights/<step>" in the Object Store). */
export const CHECKPOINT_KEY = "checkpoint";
/** State key set (to the trainer's message) when the run aborted on non-finite losses. */
export const ABORTED_KEY = "aborted";
const enc = new TextEncoder();
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** Retries `f` (a publish: idempotent by its message ID) until it succeeds or `stop()` says so. */
export async function retrying<T>(f: () => Promise<T>, stop: () => boolean, what: string, warn: (m: string) => void): Promise<T> {
  for (let attempt = 0; ; attempt++) {
    try {
      return await f();
    } catch (e) {
      if (stop()) throw e;
      if (attempt % 10 === 0) warn(`${what}: ${(e as Error).message}; retrying`);
      await sleep(Math.min(1000, 100 * (attempt + 1)));
    }
  }
}

/** L+ and L- of a probe from its shards' results: means weighted by each shard's example or token count. */
export function combine(rs: readonly ProbeResult[]): readonly [number, number] {
  if (rs.length === 1) return [rs[0]!.lossPlus, rs[0]!.lossMinus];
  let w = 0, p = 0, m = 0;
  for (const r of rs) {
    w += r.weight;
    p += r.weight * r.lossPlus;
    m += r.weight * r.lossMinus;
  }
  return [p / w, m / w];
}

/** The lease holder's name, or undefined when nobody holds it. */
export async function leaseHolder(conn: RunConnection): Promise<string | undefined> {
  const e = await conn.lease.get(LEASE_KEY);
  return e === null || e.operation !== "PUT" ? undefined : e.string();
}

/** Events of the coordinator. */
export type CoordinatorEvent =
  | { readonly type: "lease"; readonly worker: string; readonly from: number }
  | { readonly type: "commit"; readonly step: number; readonly loss: number; readonly ms: number }
  | { readonly type: "warning"; readonly message: string };

/** A held lease: renewed in the background until released or lost. */
export class Coordinator {
  readonly #conn: RunConnection;
  readonly #worker: string;
  #revision: number;
  #lost = false;
  #timer: ReturnType<typeof setInterval>;
  readonly #results = new Map<string, ProbeResult>();
  #wake: (() => void) | undefined;
  #stopped = false;

  private constructor(conn: RunConnection, worker: string, revision: number) {
    this.#conn = conn;
    this.#worker = worker;
    this.#revision = revision;
    this.#timer = setInterval(() => void this.#renew(), Math.max(50, conn.leaseMs / 3));
  }

  /** Takes the lease when it is free; undefined when another worker holds it. */
  static async tryAcquire(conn: RunConnection, worker: string): Promise<Coordinator | undefined> {
    try {
      const rev = await conn.lease.create(LEASE_KEY, enc.encode(worker));
      return new Coordinator(conn, worker, rev);
    } catch {
      return undefined;
    }
  }

  /** Whether the lease was lost (expired and taken, or the renewal failed past the TTL). */
  get lost(): boolean {
    return this.#lost;
  }

  async #renew(): Promise<void> {
    if (this.#lost || this.#stopped) return;
    try {
      this.#revision = await this.#conn.lease.update(LEASE_KEY, enc.encode(this.#worker), this.#revision);
    } catch {
      // A wrong revision means another worker holds it now; a disconnect may outlast the TTL. Either way
      // stop coordinating: commits are idempotent, and a free lease is taken again by any worker.
      this.#lost = true;
    }
  }

  /** Runs the steps not yet committed until the run is done, the lease is lost or `stop()`. */
  async run(ctx: GpuContext, header: SwarmHeader, stop: () => boolean, onEvent: (e: CoordinatorEvent) => void = () => {}): Promise<void> {
    const conn = this.#conn;
    const { names } = conn;
    const warn = (message: string) => onEvent({ type: "warning", message });
    const halt = () => stop() || this.#lost;
    const trainer = header.trainer as unknown as ZoTrainerOptions;
    const committer = new StepCommitter(ctx, trainer);
    const { steps: done } = await readTrajectory(conn);
    for (const r of done) await committer.replayRecord(r);
    const total = header.extra.swarm.options.steps ?? 0;
    const shards = header.extra.swarm.shards;
    onEvent({ type: "lease", worker: this.#worker, from: committer.step });
    const results = await conn.js.consumers.get(names.resultStream);
    const it = await results.consume();
    const pump = (async () => {
      for await (const m of it) {
        const r = decodeResult(m.data);
        const k = `${r.step}/${r.probe}/${r.shard}`;
        if (!this.#results.has(k)) this.#results.set(k, r);
        this.#wake?.();
      }
    })();
    try {
      while (committer.step < total && !halt()) {
        const t = committer.step;
        const t0 = performance.now();
        for (let j = 0; j < committer.probes; j++) {
          for (let sh = 0; sh < shards; sh++) {
            const item: WorkItem = { step: t, probe: j, seed: probeSeed(trainer.seed, t, j), shard: sh };
            await retrying(() => conn.js.publish(names.workSubject, encodeJson(item), { msgID: msgIds.work(names.id, t, j, sh) }), halt, `publish work ${t}/${j}/${sh}`, warn);
          }
        }
        const wait = async (j: number): Promise<readonly [number, number]> => {
          for (;;) {
            const got = Array.from({ length: shards }, (_, sh) => this.#results.get(`${t}/${j}/${sh}`));
            if (got.every((r) => r !== undefined)) return combine(got as ProbeResult[]);
            if (halt()) throw new Error(`coordinator: stopped while waiting for step ${t} probe ${j}`);
            await new Promise<void>((res) => {
              this.#wake = res;
              setTimeout(res, 250);
            });
          }
        };
        let rec: StepRecord;
        let abort: ZoAbortError | undefined;
        try {
          rec = await committer.next(wait);
        } catch (e) {
          if (halt()) break;
          if (!(e instanceof ZoAbortError)) throw e;
          // Too many consecutive non-finite steps: commit the last record (as fineTune writes it), then
          // mark the run aborted so every worker stops with the trainer's message.
          abort = e;
          rec = e.record;
        }
        const ms = performance.now() - t0;
        const line = stepLine({ ...rec, ms });
        if (this.#lost) break;
        await retrying(() => conn.js.publish(names.trajSubject, enc.encode(line), { msgID: msgIds.step(names.id, t) }), halt, `commit step ${t}`, warn);
        await conn.state.put("committed", String(t + 1)).catch(() => {});
        for (let j = 0; j < committer.probes; j++) for (let sh = 0; sh < shards; sh++) this.#results.delete(`${t}/${j}/${sh}`);
        // The step's results are in its record now; drop them from the results stream (bounded storage).
        await conn.jsm.streams.purge(names.resultStream, { filter: `${names.resultPrefix}.${t}` }).catch(() => {});
        onEvent({ type: "commit", step: t, loss: rec.loss, ms });
        if (abort !== undefined) {
          await retrying(() => conn.state.put(ABORTED_KEY, abort.message), halt, "mark the run aborted", warn);
          break;
        }
      }
    } finally {
      await it.close().catch(() => {});
      await pump.catch(() => {});
    }
  }

  /** Stops renewing; `release` also deletes the key so another worker need not wait for the TTL. */
  async stop(release: boolean): Promise<void> {
    this.#stopped = true;
    clearInterval(this.#timer);
    if (release && !this.#lost) await this.#conn.lease.delete(LEASE_KEY, { previousSeq: this.#revision }).catch(() => {});
  }
}
