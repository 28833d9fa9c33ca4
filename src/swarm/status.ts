/**
 * `swarmStatus`: where a run stands: steps committed of the total, the coordinator lease holder, work
 * items waiting, and the weight hashes the workers reported (equal hashes at equal steps mean the
 * workers hold bit-identical weights).
 */
import type { RunConnection } from "./connection.ts";
import { leaseHolder } from "./coordinator.ts";
import { decodeHeader } from "./protocol.ts";

export interface SwarmStatus {
  readonly run: string;
  readonly method: string;
  readonly mode: string;
  readonly shards: number;
  readonly steps: number;
  readonly committed: number;
  readonly probes: number;
  readonly coordinator?: string;
  readonly workPending: number;
  readonly hashes: Readonly<Record<string, { step: number; hash: string }>>;
  /** Steps at which workers reported different weight hashes (empty: all agree). */
  readonly disagree: readonly number[];
  /** Bytes stored in the run stream (header + step records). */
  readonly runBytes: number;
}

export async function swarmStatus(conn: RunConnection): Promise<SwarmStatus> {
  const { names } = conn;
  const info = await conn.jsm.streams.info(names.trajStream);
  if (info.state.messages === 0) throw new RangeError(`swarm run ${names.id}: the run stream is empty (no header yet)`);
  const first = await conn.jsm.streams.getMessage(names.trajStream, { seq: info.state.first_seq });
  const header = decodeHeader(first!.data);
  const work = await conn.jsm.streams.info(names.workStream);
  const hashes: Record<string, { step: number; hash: string }> = {};
  for await (const k of await conn.state.keys("hash.>")) {
    const e = await conn.state.get(k);
    if (e !== null && e.operation === "PUT") hashes[k.slice(5)] = e.json<{ step: number; hash: string }>();
  }
  const byStep = new Map<number, Set<string>>();
  for (const v of Object.values(hashes)) byStep.set(v.step, (byStep.get(v.step) ?? new Set()).add(v.hash));
  const disagree = [...byStep].filter(([, h]) => h.size > 1).map(([step]) => step).sort((a, b) => a - b);
  const holder = await leaseHolder(conn);
  const o = header.extra.swarm.options;
  return {
    run: names.id,
    method: header.method,
    mode: header.extra.swarm.mode,
    shards: header.extra.swarm.shards,
    steps: o.steps ?? 0,
    committed: info.state.messages - 1,
    probes: o.trainer?.probes ?? 1,
    ...(holder !== undefined ? { coordinator: holder } : {}),
    workPending: work.state.messages,
    hashes,
    disagree,
    runBytes: info.state.bytes,
  };
}
