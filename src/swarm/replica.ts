/**
 * A worker's copy of the run's model: a PreparedRun (same data order, loss and scope as a
 * single-process run) kept at the weights after the committed steps, plus the position inside the
 * current step. To be bit-identical to the single-process trainer, which evaluates probes 0..q-1 one
 * after the other on the same weights, a replica repeats exactly the trainer's scope calls: before
 * evaluating probe j it runs the perturb/restore cycles of the probes it has not yet passed (no forward
 * pass), and when step t is committed it runs the remaining cycles and the recorded updates (replay).
 * In float mode a cycle leaves restore drift, so order matters: a probe earlier than the replica's
 * position is reached by rebuilding (a fresh prepareRun and a replay of the committed steps). Masked
 * scopes and exact (grid) mode restore bit-exactly, so there a replica only cycles the probes it
 * evaluates.
 */
import { Recorder } from "../gpu/recorder.ts";
import type { FineTuneOptions, ResolvedFineTune } from "../train/options.ts";
import { type PreparedRun, prepareRun, type RunBatch } from "../train/prepare.ts";
import type { RunSink } from "../train/sink.ts";
import { probeSeed } from "../zo/seeds.ts";
import type { StepRecord } from "../zo/trainer.ts";
import type { HostWeights } from "../model/weights.ts";

/** Whether a scope's restore is bit-exact (a probe's cycle leaves the weights unchanged). */
export function restoresExactly(header: { readonly scope: { readonly kind: string; readonly exact: boolean } }): boolean {
  return header.scope.exact || header.scope.kind === "masked";
}

/** Shard `s` of `shards` of a batch: examples (or sequences) floor(s n / shards) .. floor((s+1) n / shards). */
export function shardOf(b: RunBatch, s: number, shards: number): RunBatch {
  const n = b.kind === "tasks" ? b.examples.length : b.sequences.length;
  const lo = Math.floor((s * n) / shards), hi = Math.floor(((s + 1) * n) / shards);
  if (!(s >= 0 && s < shards) || hi <= lo) throw new RangeError(`swarm: shard ${s} of ${shards} of a batch of ${n} is empty; use at most ${n} shards`);
  return b.kind === "tasks" ? { kind: "tasks", examples: b.examples.slice(lo, hi) } : { kind: "text", sequences: b.sequences.slice(lo, hi) };
}

/** What a batch's mean loss averages over: examples (task data) or scored target tokens (text). */
export function batchWeight(b: RunBatch): number {
  if (b.kind === "tasks") return b.examples.length;
  let n = 0;
  for (const q of b.sequences) for (let i = 0; i < q.targets.length; i++) if (q.targets[i]! >= 0) n++;
  return n;
}

export class Replica {
  #o: FineTuneOptions;
  readonly #r: ResolvedFineTune;
  readonly #sink: RunSink;
  readonly #exact: boolean;
  readonly #seed: number;
  readonly #eps: number;
  #run: PreparedRun;
  /** Committed steps applied. */
  #applied = 0;
  /** Probes of step #applied whose cycle has run (float mode). */
  #cursor = 0;
  #batch: RunBatch;
  /** Committed records since the replica's base (the base model, or the checkpoint it re-synced from). */
  #records: StepRecord[] = [];
  /** Rebuilds so far (float-mode probes that arrived out of order). */
  rebuilds = 0;
  /** Re-syncs from a checkpoint so far. */
  resyncs = 0;

  private constructor(o: FineTuneOptions, r: ResolvedFineTune, sink: RunSink, exact: boolean, run: PreparedRun) {
    this.#o = o;
    this.#r = r;
    this.#sink = sink;
    this.#exact = exact;
    this.#seed = r.cfg.trainer.seed;
    this.#eps = r.cfg.trainer.eps;
    this.#run = run;
    this.#batch = run.nextBatch();
  }

  /** Prepares the run (masks read from `sink`) at the base weights, step 0. */
  static async create(o: FineTuneOptions, r: ResolvedFineTune, sink: RunSink, exact: boolean): Promise<Replica> {
    return new Replica(o, r, sink, exact, await prepareRun(o, r, sink, true, () => {}));
  }

  get run(): PreparedRun {
    return this.#run;
  }

  /** The last committed record applied (undefined before the first). */
  get lastRecord(): StepRecord | undefined {
    return this.#records[this.#records.length - 1];
  }

  /** Steps applied (the next step to evaluate). */
  get applied(): number {
    return this.#applied;
  }

  #cycle(rec: Recorder, seed: number): void {
    const scope = this.#run.target.scope;
    scope.begin(rec);
    scope.perturb(rec, seed, this.#eps);
    scope.perturb(rec, seed, -2 * this.#eps);
    scope.restore(rec, seed, this.#eps);
    rec.submit();
  }

  /**
   * L+ and L- of probe `probe` of the current step, exactly as the trainer computes them; with `shards`
   * > 1 on shard `shard` of the batch only (data-parallel; exact-restore scopes), with the shard's weight.
   */
  async evaluate(step: number, probe: number, shard = 0, shards = 1): Promise<[number, number, number]> {
    if (step !== this.#applied) throw new RangeError(`Replica: asked for step ${step} while at step ${this.#applied}`);
    if (!this.#exact && probe < this.#cursor) await this.#rebuild();
    const rec = new Recorder(this.#run.ctx, `swarm.step${step}`);
    if (!this.#exact) for (; this.#cursor < probe; this.#cursor++) this.#cycle(rec, probeSeed(this.#seed, step, this.#cursor));
    const scope = this.#run.target.scope;
    const seed = probeSeed(this.#seed, step, probe);
    const batch = shards === 1 ? this.#batch : shardOf(this.#batch, shard, shards);
    const loss = () => this.#run.lossOn(batch);
    scope.begin(rec);
    scope.perturb(rec, seed, this.#eps);
    rec.submit();
    const lp = await loss();
    scope.perturb(rec, seed, -2 * this.#eps);
    rec.submit();
    const lm = await loss();
    scope.restore(rec, seed, this.#eps);
    rec.submit();
    if (!this.#exact) this.#cursor = probe + 1;
    return [lp, lm, batchWeight(batch)];
  }

  /** Applies committed records (consecutive from the current step). */
  async commit(records: readonly StepRecord[]): Promise<void> {
    if (records.length === 0) return;
    records.forEach((x, i) => {
      if (x.step !== this.#applied + i) throw new RangeError(`Replica: record of step ${x.step} arrived at step ${this.#applied + i}`);
    });
    const [first, ...rest] = records;
    if (!this.#exact && this.#cursor > first!.seeds.length) await this.#rebuild();
    const head = this.#exact ? { ...first!, seeds: [] } : { ...first!, seeds: first!.seeds.slice(this.#cursor) };
    await this.#run.applySteps([head, ...rest]);
    for (const x of records) {
      this.#records.push(x);
      this.#applied++;
      this.#batch = this.#run.nextBatch();
    }
    this.#cursor = 0;
  }

  /**
   * Re-syncs at a step boundary from `weights`, the weights after committed step `step - 1` (a
   * checkpoint): a fresh run on them, then the committed steps from `step` on.
   */
  async resync(weights: HostWeights, step: number): Promise<void> {
    if (step > this.#applied) throw new RangeError(`Replica: checkpoint of step ${step} is ahead of the replica (${this.#applied} steps applied)`);
    this.resyncs++;
    this.#o = { ...this.#o, model: { ...this.#o.model, weights } };
    this.#records = this.#records.filter((x) => x.step >= step);
    await this.#rebuild();
    this.rebuilds--;
  }

  /** Fault injection for tests: moves the weights off the run's (one update of a fixed seed). */
  injectFault(): void {
    const rec = new Recorder(this.#run.ctx, "swarm.fault");
    this.#run.target.scope.update(rec, 0x5eed, 1e-3, 0);
    rec.submit();
  }

  /** Back to the committed weights of the current step: a fresh run and a replay of every committed step. */
  async #rebuild(): Promise<void> {
    this.rebuilds++;
    this.#run.destroy();
    this.#run = await prepareRun(this.#o, this.#r, this.#sink, true, () => {});
    await this.#run.applySteps(this.#records);
    for (let i = 0; i <= this.#applied; i++) this.#batch = this.#run.nextBatch();
    this.#cursor = 0;
  }

  destroy(): void {
    this.#run.destroy();
  }
}
