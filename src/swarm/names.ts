/**
 * Names of a swarm run's NATS resources, all derived from the run ID: the trajectory stream (the run:
 * header + one record per committed step), the work-queue stream of work items, the results stream,
 * the KV buckets of the coordinator lease and of the run state, and the Object Store bucket of the
 * run's files (masks.json).
 */

/** A run ID: letters, digits, '-' and '_' (it becomes part of stream, subject and bucket names). */
export function checkRunId(id: string): string {
  if (!/^[A-Za-z0-9_-]{1,64}$/.test(id)) throw new RangeError(`swarm run ID ${JSON.stringify(id)}: use 1 to 64 letters, digits, '-' or '_'`);
  return id;
}

/** The resource names of run `id`. */
export interface RunNames {
  readonly id: string;
  /** Trajectory stream and its subject. */
  readonly trajStream: string;
  readonly trajSubject: string;
  /** Work-queue stream, its subject and the workers' shared durable consumer. */
  readonly workStream: string;
  readonly workSubject: string;
  readonly workConsumer: string;
  /** Results stream; one subject per step: `${resultPrefix}.<step>`. */
  readonly resultStream: string;
  readonly resultPrefix: string;
  /** KV bucket holding the coordinator lease (key "coordinator"), entries expire after the lease TTL. */
  readonly leaseBucket: string;
  /** KV bucket of the run state: "committed", "hash.<worker>". */
  readonly stateBucket: string;
  /** Object Store bucket of the run's files. */
  readonly objBucket: string;
}

export function runNames(id: string): RunNames {
  checkRunId(id);
  return {
    id,
    trajStream: `MAZO_RUN_${id}`,
    trajSubject: `mazo.${id}.traj`,
    workStream: `MAZO_WORK_${id}`,
    workSubject: `mazo.${id}.work`,
    workConsumer: "workers",
    resultStream: `MAZO_RES_${id}`,
    resultPrefix: `mazo.${id}.res`,
    leaseBucket: `mazo_lease_${id}`,
    stateBucket: `mazo_state_${id}`,
    objBucket: `mazo_files_${id}`,
  };
}

/** Nats-Msg-Id values: publishing one twice inside the duplicate window stores it once. */
export const msgIds = {
  header: (id: string) => `${id}/header`,
  step: (id: string, step: number) => `${id}/step/${step}`,
  work: (id: string, step: number, probe: number, shard: number) => `${id}/work/${step}/${probe}/${shard}`,
  result: (id: string, step: number, probe: number, shard: number) => `${id}/result/${step}/${probe}/${shard}`,
};
