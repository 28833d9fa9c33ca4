/**
 * MaZO calibration: per task, the per-input-column norms ||X^t_j||_2 of every linear weight's input,
 * over the real (non-padding) tokens of n calibration examples from the task's train split.
 *
 * The forward pass is run unchanged (LlamaModel.score); a LinearAdapter attached under each weight's name
 * sees that projection's input x (B*S, in) right after its matmul and records colSumSq(x) with row
 * weights 1 on real positions and 0 on padding, accumulated over batches into one GPU buffer (in) per
 * weight. Only those buffers are read back, once per task. Legend: B sequences per batch, S slots.
 *
 * Which sequences (option `candidates`, default "loss"): "loss" = exactly the sequences the task's
 * training loss reads (every candidate for classification tasks, the gold one for LM-objective tasks
 * such as COPA); "gold" = the gold candidate only; "all" = every candidate. All positions of a sequence
 * (prompt and candidate) count: each feeds the loss through attention.
 */
import type { GpuContext } from "../gpu/context.ts";
import type { Recorder } from "../gpu/recorder.ts";
import { chunkBinding, createTensor, destroyTensor, readBuffers, type Tensor, writeTensor } from "../gpu/tensor.ts";
import { colSumSq } from "../kernels/colsumsq.ts";
import type { LinearAdapter, LlamaModel } from "../model/forward.ts";
import type { Tokenizer } from "../tasks/encode.ts";
import type { Example } from "../tasks/example.ts";
import { type CalibrationCandidates, calibrationSequences } from "./calibration_set.ts";

/** Options of {@link calibrate}. */
export interface CalibrationOptions {
  /** Examples per task, the first n of its train split (default 32; fewer when the split is smaller). */
  readonly examples?: number;
  /** Which candidate sequences (default "loss"; see the module doc). */
  readonly candidates?: CalibrationCandidates;
  /** Sequences per forward pass (default 16). */
  readonly batchSize?: number;
  /** Longest sequence, BOS included (default the model's context length). */
  readonly maxLength?: number;
  /** Weights to record (default every "matrix" tensor of the store: wq, wk, wv, wo, w1, w2, w3 of each layer). */
  readonly weights?: readonly string[];
}

/** One task's calibration set: its name (a task of src/tasks) and examples (its train split). */
export interface CalibrationTask {
  readonly task: string;
  readonly examples: readonly Example[];
}

/** One task's statistics. */
export interface TaskStats {
  readonly task: string;
  /** Sequences and real tokens the statistics cover. */
  readonly sequences: number;
  readonly tokens: number;
  /** weight name -> (in) ||X_j||_2 over the calibration tokens. */
  readonly norms: ReadonlyMap<string, Float32Array>;
}

/** The defaults of {@link CalibrationOptions}, in one place for docs and the CLI. */
export const CALIBRATION_DEFAULTS = { examples: 32, candidates: "loss" as CalibrationCandidates, batchSize: 16 } as const;

/** Records colSumSq of a projection's input into its stats buffer with the current batch's row weights. */
class StatsTap implements LinearAdapter {
  readonly #inner: LinearAdapter | undefined;
  readonly #out: Tensor<"f32">;
  readonly #weights: () => Tensor<"f32">;

  constructor(inner: LinearAdapter | undefined, out: Tensor<"f32">, weights: () => Tensor<"f32">) {
    this.#inner = inner;
    this.#out = out;
    this.#weights = weights;
  }

  record(ctx: GpuContext, rec: Recorder, x: Tensor<"f32">, y: Tensor<"f32">): void {
    colSumSq(ctx, rec, x, this.#out, { rowWeights: this.#weights(), accumulate: true });
    this.#inner?.record(ctx, rec, x, y);
  }
}

/** Checks a positive-integer option. */
function positive(name: string, v: number): number {
  if (!Number.isInteger(v) || v < 1) throw new RangeError(`calibration: ${name} is ${v}; it must be a positive integer`);
  return v;
}

/**
 * Runs calibration for each task in turn and returns its statistics (see the module doc). Adapters
 * already attached to the model (LoRA) stay in effect and are restored afterwards.
 */
export async function calibrate(model: LlamaModel, tokenizer: Tokenizer, tasks: readonly CalibrationTask[], options: CalibrationOptions = {}): Promise<TaskStats[]> {
  const ctx = model.ctx;
  const n = positive("examples", options.examples ?? CALIBRATION_DEFAULTS.examples);
  const batchSize = positive("batchSize", options.batchSize ?? CALIBRATION_DEFAULTS.batchSize);
  const maxLength = options.maxLength ?? model.config.maxSeqLen;
  const candidates = options.candidates ?? CALIBRATION_DEFAULTS.candidates;
  const names = options.weights ?? model.store.entries.filter((e) => e.kind === "matrix").map((e) => e.name);
  const inDims = names.map((name) => {
    const e = model.store.entry(name);
    if (e.shape.length !== 2) throw new RangeError(`calibration: weight ${name} has shape [${e.shape.join(", ")}]; only 2-D (out, in) weights have input columns`);
    return e.shape[1]!;
  });
  const out: TaskStats[] = [];
  const saved = new Map(names.map((name) => [name, model.adapters.get(name)]));
  for (const t of tasks) {
    const seqs = calibrationSequences(t.task, t.examples.slice(0, n), tokenizer, candidates, maxLength);
    if (seqs.length === 0) throw new RangeError(`calibration: task ${t.task} has no calibration examples`);
    const stats = names.map((name, i) => createTensor(ctx, `calibrate.${t.task}.${name}`, [inDims[i]!], "f32", "workspace"));
    let rowWeights: Tensor<"f32"> | null = null;
    const current = (): Tensor<"f32"> => {
      if (rowWeights === null) throw new Error("calibration: a projection ran outside a calibration batch");
      return rowWeights;
    };
    names.forEach((name, i) => model.adapters.set(name, new StatsTap(saved.get(name), stats[i]!, current)));
    let tokens = 0;
    try {
      for (let s0 = 0; s0 < seqs.length; s0 += batchSize) {
        const batch = seqs.slice(s0, s0 + batchSize);
        const slots = Math.max(...batch.map((s) => s.tokens.length));
        const w = new Float32Array(batch.length * slots);
        batch.forEach((s, b) => w.fill(1, b * slots, b * slots + s.tokens.length));
        tokens += batch.reduce((a, s) => a + s.tokens.length, 0);
        rowWeights = createTensor(ctx, `calibrate.rowWeights(${batch.length}x${slots})`, [batch.length * slots], "f32", "workspace");
        writeTensor(ctx, rowWeights, w);
        await model.score(batch);
        destroyTensor(ctx, rowWeights);
        rowWeights = null;
      }
      const raw = await readBuffers(ctx, stats.map((s) => chunkBinding(s.chunks[0]!)));
      const norms = new Map<string, Float32Array>();
      names.forEach((name, i) => norms.set(name, Float32Array.from(new Float32Array(raw[i]!, 0, inDims[i]!), (v) => Math.sqrt(v))));
      out.push({ task: t.task, sequences: seqs.length, tokens, norms });
    } finally {
      if (rowWeights !== null) destroyTensor(ctx, rowWeights);
      for (const s of stats) destroyTensor(ctx, s);
      for (const [name, a] of saved) {
        if (a === undefined) model.adapters.delete(name);
        else model.adapters.set(name, a);
      }
    }
  }
  return out;
}
