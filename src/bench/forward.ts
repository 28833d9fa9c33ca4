/**
 * Forward-pass throughput: tokens/s of LlamaModel.score for several (batch, length) shapes, median of
 * repeats after a warm-up run (which compiles pipelines and allocates the shape's activations). Token ids
 * are a fixed deterministic pattern (the cost does not depend on them).
 */
import type { LlamaModel } from "../model/forward.ts";
import { median, textTable, timeRuns } from "./stats.ts";

/** One (batch, length) shape: sequences and tokens per sequence. */
export interface ForwardShape {
  readonly batch: number;
  readonly length: number;
}

/** The shapes measured by default. */
export const FORWARD_SHAPES: readonly ForwardShape[] = [
  { batch: 1, length: 64 },
  { batch: 1, length: 256 },
  { batch: 8, length: 64 },
  { batch: 16, length: 128 },
  { batch: 32, length: 128 },
];

/** What was measured for one shape. */
export interface ForwardRow extends ForwardShape {
  readonly tokens: number;
  readonly reps: number;
  readonly medianMs: number;
  readonly tokensPerSec: number;
}

/** Parses "BxT,BxT" (e.g. "1x64,8x64") into shapes; RangeError naming the bad entry. */
export function parseShapes(text: string): ForwardShape[] {
  return text.split(",").map((s) => s.trim()).filter((s) => s !== "").map((s) => {
    const m = /^(\d+)x(\d+)$/.exec(s);
    if (m === null || Number(m[1]) < 1 || Number(m[2]) < 2) throw new RangeError(`shape ${JSON.stringify(s)}: expected <batch>x<length> with batch >= 1 and length >= 2, e.g. 8x64`);
    return { batch: Number(m[1]), length: Number(m[2]) };
  });
}

/** Measures each shape (lengths above the model's context are skipped and not reported). */
export async function benchForward(model: LlamaModel, shapes: readonly ForwardShape[], reps: number, onRow?: (r: ForwardRow) => void): Promise<ForwardRow[]> {
  const V = model.config.vocabSize;
  const rows: ForwardRow[] = [];
  for (const { batch, length } of shapes) {
    if (length > model.config.maxSeqLen) continue;
    const seqs = Array.from({ length: batch }, (_, i) => {
      const tokens = Array.from({ length }, (_, t) => (t === 0 ? model.config.bosId : (7 * t + 13 * i) % V));
      return { tokens, targets: [...tokens.slice(1), -1] };
    });
    const times = await timeRuns(() => model.score(seqs), reps, 1);
    const med = median(times);
    const row = { batch, length, tokens: batch * length, reps, medianMs: med, tokensPerSec: (batch * length) / (med / 1000) };
    rows.push(row);
    onRow?.(row);
    model.releaseActivations();
  }
  return rows;
}

/** The forward rows as a table. */
export function forwardTable(rows: readonly ForwardRow[]): string {
  return textTable([["batch x len", "tokens", "median ms", "tokens/s"], ...rows.map((r) => [`${r.batch} x ${r.length}`, String(r.tokens), r.medianMs.toFixed(1), r.tokensPerSec.toFixed(0)])]);
}
