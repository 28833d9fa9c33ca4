/**
 * Evaluation with MeZO's protocol: per task, accuracy on the test examples (argmax of the candidates'
 * mean log-probabilities) and dev loss (the mean training loss on the dev examples); the average over
 * tasks of both. Shaped as eval.json's "before"/"after" entries.
 */
import type { EncodedExample, ScoreFn } from "../tasks/encode.ts";
import { scoreEncoded } from "../tasks/encode.ts";
import { predict } from "../tasks/metrics.ts";
import { batchLoss } from "../mazo/loss.ts";
import type { PreparedTask } from "./prepared_tasks.ts";

/** One task's evaluation: test accuracy, dev loss (the training objective on the dev split) and the split sizes. */
export interface TaskEval {
  readonly accuracy: number;
  readonly dev_loss: number;
  readonly test_n: number;
  readonly dev_n: number;
}

/** An evaluation over tasks (eval.json's "before"/"after"): per-task results and their averages. */
export interface EvalReport {
  /** Mean of the tasks' dev losses. */
  readonly dev_loss: number;
  /** Mean of the tasks' test accuracies. */
  readonly average: number;
  readonly tasks: Readonly<Record<string, TaskEval>>;
}

/** The training loss (src/mazo/loss.ts batchLoss, the objective training uses) over `examples`. */
async function devLoss(examples: readonly EncodedExample[], score: ScoreFn): Promise<number> {
  return examples.length === 0 ? NaN : await batchLoss(examples, score);
}

async function accuracy(examples: readonly EncodedExample[], score: ScoreFn): Promise<number> {
  if (examples.length === 0) return NaN;
  const scores = await scoreEncoded(examples, score);
  let right = 0;
  examples.forEach((e, i) => {
    if (predict(scores[i]!.map((s) => s.mean)) === e.example.label) right++;
  });
  return right / examples.length;
}

/** Dev loss only (cheap: for the convergence curve during training). */
export async function evaluateDevLoss(tasks: readonly PreparedTask[], score: ScoreFn): Promise<number> {
  let s = 0;
  for (const t of tasks) s += await devLoss(t.dev, score);
  return s / tasks.length;
}

/** Dev loss and test accuracy of every task, and their averages. */
export async function evaluateTasks(tasks: readonly PreparedTask[], score: ScoreFn): Promise<EvalReport> {
  const per: Record<string, TaskEval> = {};
  let lossSum = 0;
  let accSum = 0;
  for (const t of tasks) {
    const dl = await devLoss(t.dev, score);
    const acc = await accuracy(t.test, score);
    per[t.name] = { accuracy: acc, dev_loss: dl, test_n: t.test.length, dev_n: t.dev.length };
    lossSum += dl;
    accSum += acc;
  }
  return { dev_loss: lossSum / tasks.length, average: accSum / tasks.length, tasks: per };
}
