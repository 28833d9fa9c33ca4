/**
 * Predictions, accuracy and the training losses, as pure functions over candidate scores (mean
 * log-probabilities per candidate, from {@link ./encode.ts}). float64 throughout.
 */
import type { SequenceScore } from "./encode.ts";
import type { TrainObjective } from "./task.ts";

function checkScores(what: string, xs: ArrayLike<number>): void {
  if (xs.length === 0) throw new RangeError(`${what}: no candidate scores`);
  for (let i = 0; i < xs.length; i++) if (Number.isNaN(xs[i]!)) throw new RangeError(`${what}: candidate score ${i} is NaN`);
}

/** The predicted candidate: argmax of the mean log-probabilities, ties to the lowest index. */
export function predict(means: ArrayLike<number>): number {
  checkScores("predict()", means);
  let best = 0;
  for (let i = 1; i < means.length; i++) if (means[i]! > means[best]!) best = i;
  return best;
}

function checkLabel(what: string, label: number, n: number): void {
  if (!Number.isInteger(label) || label < 0 || label >= n) throw new RangeError(`${what}: label ${label} is outside [0, ${n})`);
}

/**
 * MeZO's train-as-classification loss: cross-entropy of the gold candidate under a softmax over the
 * candidates' mean log-probabilities, logsumexp(means) - means[label] (stable for any magnitude).
 */
export function classificationLoss(means: ArrayLike<number>, label: number): number {
  checkScores("classificationLoss()", means);
  checkLabel("classificationLoss()", label, means.length);
  let max = -Infinity;
  for (let i = 0; i < means.length; i++) max = Math.max(max, means[i]!);
  if (max === -Infinity) return Infinity;
  let s = 0;
  for (let i = 0; i < means.length; i++) s += Math.exp(means[i]! - max);
  return max + Math.log(s) - means[label]!;
}

/** The LM loss: mean negative log-likelihood of the gold candidate's tokens (-sum / count). */
export function lmLoss(gold: SequenceScore): number {
  if (!(gold.count > 0)) throw new RangeError(`lmLoss(): the gold candidate has ${gold.count} scored tokens; at least 1 is needed`);
  return -gold.sum / gold.count;
}

/** The training loss of one example under `objective`, from its candidates' scores. */
export function exampleLoss(objective: TrainObjective, scores: readonly SequenceScore[], label: number): number {
  checkLabel("exampleLoss()", label, scores.length);
  return objective === "lm" ? lmLoss(scores[label]!) : classificationLoss(scores.map((s) => s.mean), label);
}

/** One evaluated example. */
export interface Prediction {
  readonly task: string;
  readonly prediction: number;
  readonly label: number;
}

/** Accuracy of one task. */
export interface TaskAccuracy {
  readonly correct: number;
  readonly total: number;
  readonly accuracy: number;
}

/** Per-task accuracies and their unweighted mean over tasks (each task counts once, whatever its size). */
export interface AccuracyReport {
  readonly tasks: Readonly<Record<string, TaskAccuracy>>;
  readonly average: number;
}

/** Accuracy per task (in order of first appearance) and the average over tasks; NaN average when empty. */
export function accuracyByTask(predictions: readonly Prediction[]): AccuracyReport {
  const counts = new Map<string, { correct: number; total: number }>();
  for (const p of predictions) {
    const c = counts.get(p.task) ?? { correct: 0, total: 0 };
    c.total++;
    if (p.prediction === p.label) c.correct++;
    counts.set(p.task, c);
  }
  const tasks: Record<string, TaskAccuracy> = {};
  let sum = 0;
  for (const [t, c] of counts) {
    tasks[t] = { correct: c.correct, total: c.total, accuracy: c.correct / c.total };
    sum += c.correct / c.total;
  }
  return { tasks, average: counts.size === 0 ? NaN : sum / counts.size };
}
