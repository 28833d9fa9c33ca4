/**
 * Multi-task batches. Each slot of a batch (or each whole batch, with granularity "batch") picks a task:
 *   uniform       every task equally likely (default; MaZO's mixture),
 *   proportional  probability proportional to the task's train size,
 *   round-robin   tasks in turn, in the order given (deterministic).
 * Within a task, examples are drawn without replacement from a seeded shuffle, reshuffled each epoch, so
 * every train example is seen once per epoch of its task. All randomness derives from `seed`.
 */
import type { Example } from "./example.ts";
import { deriveSeed, SeededRng, shuffled } from "./rng.ts";

/** How the mixer picks tasks. */
export type MixMode = "uniform" | "proportional" | "round-robin";

/** The mix modes, for option parsing. */
export const MIX_MODES: readonly MixMode[] = ["uniform", "proportional", "round-robin"];

/** Options of {@link TaskMixer}. */
export interface MixerOptions {
  readonly batchSize: number;
  readonly seed: number;
  /** Default "uniform". */
  readonly mode?: MixMode;
  /** "example" (default): each slot picks a task, batches mix tasks; "batch": one task per batch. */
  readonly granularity?: "example" | "batch";
}

/** A task's training examples. */
export interface TaskTrainSet<E> {
  readonly task: string;
  readonly train: readonly E[];
}

interface Stream<E> {
  readonly task: string;
  readonly items: readonly E[];
  order: E[];
  cursor: number;
  epoch: number;
}

/** Seeded multi-task batch sampler. */
export class TaskMixer<E = Example> {
  readonly mode: MixMode;
  readonly batchSize: number;
  readonly granularity: "example" | "batch";
  readonly #seed: number;
  readonly #streams: Stream<E>[];
  readonly #cumulative: number[];
  readonly #rng: SeededRng;
  #turn = 0;

  constructor(tasks: readonly TaskTrainSet<E>[], options: MixerOptions) {
    const mode = options.mode ?? "uniform";
    if (!MIX_MODES.includes(mode)) throw new RangeError(`mix mode must be one of ${MIX_MODES.join(", ")}, got ${JSON.stringify(mode)}`);
    if (!Number.isInteger(options.batchSize) || options.batchSize < 1) throw new RangeError(`batchSize must be a positive integer, got ${options.batchSize}`);
    if (tasks.length === 0) throw new RangeError("TaskMixer needs at least one task");
    for (const t of tasks) if (t.train.length === 0) throw new RangeError(`task ${t.task} has no train examples to mix`);
    this.mode = mode;
    this.batchSize = options.batchSize;
    this.granularity = options.granularity ?? "example";
    this.#seed = options.seed;
    this.#rng = new SeededRng(deriveSeed(options.seed, "mixer", mode));
    this.#streams = tasks.map((t) => ({ task: t.task, items: t.train, order: [], cursor: 0, epoch: -1 }));
    let acc = 0;
    this.#cumulative = tasks.map((t) => (acc += mode === "proportional" ? t.train.length : 1));
  }

  /** The probability of each task per pick (round-robin: its share over a full cycle). */
  get weights(): number[] {
    const total = this.#cumulative[this.#cumulative.length - 1]!;
    return this.#cumulative.map((c, i) => (c - (i > 0 ? this.#cumulative[i - 1]! : 0)) / total);
  }

  #pickTask(): Stream<E> {
    if (this.mode === "round-robin") return this.#streams[this.#turn++ % this.#streams.length]!;
    const total = this.#cumulative[this.#cumulative.length - 1]!;
    const x = this.#rng.next() * total;
    let i = 0;
    while (this.#cumulative[i]! <= x) i++;
    return this.#streams[i]!;
  }

  #draw(s: Stream<E>): E {
    if (s.cursor >= s.order.length) {
      s.epoch++;
      s.order = shuffled(s.items, new SeededRng(deriveSeed(this.#seed, "mixer-epoch", s.task, s.epoch)));
      s.cursor = 0;
    }
    return s.order[s.cursor++]!;
  }

  /** The next batch of `batchSize` examples. */
  next(): E[] {
    const out: E[] = [];
    const whole = this.granularity === "batch" ? this.#pickTask() : undefined;
    for (let i = 0; i < this.batchSize; i++) out.push(this.#draw(whole ?? this.#pickTask()));
    return out;
  }

  /** The next `n` batches. */
  *batches(n: number): Generator<E[]> {
    for (let i = 0; i < n; i++) yield this.next();
  }
}
