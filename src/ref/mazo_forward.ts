/**
 * Scoring of target tokens on the reference forward pass (src/ref/forward.ts), with its optional tap on
 * the input of every linear projection: what the MaZO reference path needs for calibration statistics
 * and losses. Float64 accumulation.
 *
 * Dimensions: V vocab, T sequence length.
 */
import type { HostWeights } from "../model/weights.ts";
import type { ScoringSequence, SequenceScore } from "../tasks/encode.ts";
import { forwardRef, type LinearTap, nllOf } from "./forward.ts";

/** Summed and mean log-probability of each sequence's targets (what LlamaModel.score returns). */
export function scoreRef(w: HostWeights, seqs: readonly ScoringSequence[], tap?: LinearTap): SequenceScore[] {
  const V = w.config.vocabSize;
  return seqs.map((s) => {
    const logits = forwardRef(w, s.tokens, tap);
    let sum = 0, count = 0;
    for (let t = 0; t < s.tokens.length; t++) {
      const tg = s.targets[t]!;
      if (tg < 0) continue;
      sum -= nllOf(logits.subarray(t * V, (t + 1) * V), tg);
      count++;
    }
    return { sum, count, mean: count > 0 ? sum / count : NaN };
  });
}
