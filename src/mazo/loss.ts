/**
 * The training loss of a batch of task examples under the model's current weights: one forward pass
 * over every scoring sequence of the batch, then each example's loss by its task's objective
 * (src/tasks/metrics.ts: cross-entropy over the candidates, or the gold candidate's LM loss), averaged
 * over examples. This is MeZO's objective, and the dev loss of the experiments.
 */
import type { LlamaModel } from "../model/forward.ts";
import { type EncodedExample, scoreEncoded, type ScoringSequence, type SequenceScore } from "../tasks/encode.ts";
import { exampleLoss } from "../tasks/metrics.ts";

/** Scores sequences with the GPU model, in forward passes of at most `batchSize` sequences. */
export function modelScoreFn(model: LlamaModel, batchSize = 64): (seqs: readonly ScoringSequence[]) => Promise<SequenceScore[]> {
  return async (seqs) => {
    const out: SequenceScore[] = [];
    for (let i = 0; i < seqs.length; i += batchSize) {
      const r = await model.score(seqs.slice(i, i + batchSize));
      for (let b = 0; b < r.sum.length; b++) out.push({ sum: r.sum[b]!, count: r.count[b]!, mean: r.mean[b]! });
    }
    return out;
  };
}

/** Mean over `batch` of each example's loss under its task's objective (float64). */
export async function batchLoss(batch: readonly EncodedExample[], score: (seqs: readonly ScoringSequence[]) => Promise<readonly SequenceScore[]>): Promise<number> {
  if (batch.length === 0) throw new RangeError("batchLoss: the batch is empty");
  const scores = await scoreEncoded(batch, score);
  let total = 0;
  batch.forEach((e, i) => {
    total += exampleLoss(e.example.objective ?? "classification", scores[i]!, e.example.label);
  });
  return total / batch.length;
}
