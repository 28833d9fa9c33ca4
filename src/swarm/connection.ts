/**
 * A connection to a swarm run (transport-neutral: connectNats in node_connect.ts for Deno and Node,
 * connectNatsWs in ws_connect.ts for browsers): the NATS connection, the JetStream client and manager, and the run's KV buckets and Object Store.
 * `createRunResources` makes the streams (file storage, so they survive a server restart) and buckets;
 * `openRun` opens existing ones and fails clearly when the run does not exist.
 */
import { AckPolicy, DiscardPolicy, jetstream, type JetStreamClient, jetstreamManager, type JetStreamManager, RetentionPolicy, StorageType } from "@nats-io/jetstream";
import { type KV, Kvm } from "@nats-io/kv";
import { type ObjectStore, Objm } from "@nats-io/obj";
import { nanos, type NatsConnection } from "@nats-io/nats-core";
import { type RunNames, runNames } from "./names.ts";

/** Timing of a run's infrastructure. */
export interface RunTimings {
  /** Work items not acked within this time are redelivered to another worker (default 30000 ms). */
  readonly ackWaitMs?: number;
  /** The coordinator lease expires this long after its last renewal (default 5000 ms). */
  readonly leaseMs?: number;
}

export interface RunConnection {
  readonly nc: NatsConnection;
  readonly js: JetStreamClient;
  readonly jsm: JetStreamManager;
  readonly names: RunNames;
  readonly lease: KV;
  readonly state: KV;
  readonly files: ObjectStore;
  /** The lease TTL the bucket was made with. */
  readonly leaseMs: number;
  close(): Promise<void>;
}

const DAY_NS = nanos(24 * 3600 * 1000);

/** Creates the run's streams, consumer, buckets and Object Store; fails when the run already exists. */
export async function createRunResources(nc: NatsConnection, id: string, t: RunTimings = {}): Promise<RunConnection> {
  const names = runNames(id);
  const jsm = await jetstreamManager(nc);
  const exists = await jsm.streams.info(names.trajStream).then(() => true, () => false);
  if (exists) throw new RangeError(`swarm run ${JSON.stringify(id)} already exists on this server (stream ${names.trajStream}); pick another --run ID`);
  const ackWaitMs = t.ackWaitMs ?? 30_000;
  const leaseMs = t.leaseMs ?? 5_000;
  await jsm.streams.add({ name: names.trajStream, subjects: [names.trajSubject], storage: StorageType.File, retention: RetentionPolicy.Limits, duplicate_window: DAY_NS, discard: DiscardPolicy.New });
  await jsm.streams.add({ name: names.workStream, subjects: [names.workSubject], storage: StorageType.File, retention: RetentionPolicy.Workqueue, duplicate_window: DAY_NS });
  await jsm.streams.add({ name: names.resultStream, subjects: [`${names.resultPrefix}.>`], storage: StorageType.File, retention: RetentionPolicy.Limits, duplicate_window: DAY_NS });
  await jsm.consumers.add(names.workStream, { durable_name: names.workConsumer, ack_policy: AckPolicy.Explicit, ack_wait: nanos(ackWaitMs), max_deliver: -1, max_ack_pending: -1 });
  const kvm = new Kvm(nc);
  await kvm.create(names.leaseBucket, { history: 1, ttl: leaseMs, storage: StorageType.File });
  await kvm.create(names.stateBucket, { history: 1, storage: StorageType.File });
  await new Objm(nc).create(names.objBucket, { storage: StorageType.File });
  return openRun(nc, id);
}

/** Opens run `id`'s resources on `nc`. */
export async function openRun(nc: NatsConnection, id: string): Promise<RunConnection> {
  const names = runNames(id);
  const jsm = await jetstreamManager(nc);
  await jsm.streams.info(names.trajStream).catch((e: Error) => {
    throw new RangeError(`swarm run ${JSON.stringify(id)} does not exist on this server (no stream ${names.trajStream}: ${e.message}); create it with \`mazo swarm start --run ${id}\``);
  });
  const kvm = new Kvm(nc);
  const lease = await kvm.open(names.leaseBucket);
  const state = await kvm.open(names.stateBucket);
  const files = await new Objm(nc).open(names.objBucket);
  const st = await lease.status();
  return {
    nc,
    js: jetstream(nc),
    jsm,
    names,
    lease,
    state,
    files,
    leaseMs: st.ttl,
    close: async () => {
      if (!nc.isClosed()) await nc.drain().catch(() => nc.close());
    },
  };
}
