/**
 * Evaluation with MeZO's protocol: per task, the test metric (classification and multiple-choice:
 * accuracy, the argmax of the candidates' mean log-probabilities; generation: exact match and token F1
 * of greedy decoding, src/train/generation_eval.ts) and the dev loss (the mean training loss on the dev
 * examples); the average over tasks of both. Shaped as eval.json's "before"/"after" entries. The CLI
 * (train, eval, experiment) and the browser share it.
 */
import type { EncodedExample, ScoreFn } from "../tasks/encode.ts";
import { scoreEncoded } from "../tasks/encode.ts";
import { predict } from "../tasks/metrics.ts";
import { batchLoss } from "../mazo/loss.ts";
import { generateAnswers, meanEmF1, type TextGenerator } from "./generation_eval.ts";
import type { PreparedTask } from "./prepared_tasks.ts";

export type { TextGenerator } from "./generation_eval.ts";
/** One task's evaluation: test accuracy, dev loss (the training objective on the dev split) and the split sizes. */
export interface TaskEval {
  /** Test accuracy; for a generation task, its exact match. */
  readonly accuracy: number;
  readonly dev_loss: number;
  readonly test_n: number;
  readonly dev_n: number;
  /** Generation tasks: mean exact match after answer normalisation (MeZO's "em"). */
  readonly em?: number;
  /** Generation tasks: mean token F1 (MeZO's "f1", the task's headline metric). */
  readonly f1?: number;
}

/** An evaluation over tasks (eval.json's "before"/"after"): per-task results and their averages. */
export interface EvalReport {
  /** Mean of the dev losses of the tasks that have dev examples (NaN when none has). */
  readonly dev_loss: number;
  /** Mean over tasks of each task's headline metric: test accuracy, or token F1 for generation tasks. */
  readonly average: number;
  readonly tasks: Readonly<Record<string, TaskEval>>;
}

/** The headline metric of a task's evaluation: F1 for generation tasks, else accuracy. */
export function headline(e: TaskEval): number {
  return e.f1 ?? e.accuracy;
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

function meanFinite(xs: readonly number[]): number {
  const f = xs.filter((x) => !Number.isNaN(x));
  return f.length === 0 ? NaN : f.reduce((a, b) => a + b, 0) / f.length;
}

/** Dev loss only (cheap: for the convergence curve during training); tasks without dev examples are left out of the mean. */
export async function evaluateDevLoss(tasks: readonly PreparedTask[], score: ScoreFn): Promise<number> {
  const losses: number[] = [];
  for (const t of tasks) losses.push(await devLoss(t.dev, score));
  return meanFinite(losses);
}

/**
 * Dev loss and the test metric of every task, and their averages. `generate` greedy-decodes the test
 * prompts of generation tasks (a RangeError when such a task is present and it is not given).
 */
export async function evaluateTasks(tasks: readonly PreparedTask[], score: ScoreFn, generate?: TextGenerator): Promise<EvalReport> {
  const per: Record<string, TaskEval> = {};
  const losses: number[] = [];
  let sum = 0;
  if (tasks.length === 0) throw new RangeError("evaluateTasks: no tasks to evaluate");
  for (const t of tasks) {
    // An accuracy over zero examples is not a number: say so instead of reporting NaN%.
    if (t.test.length === 0) throw new RangeError(`evaluation: task ${t.name} has 0 test examples (its test split is empty: check its test data file and the test size); an accuracy needs at least one`);
  }
  for (const t of tasks) {
    const dl = await devLoss(t.dev, score);
    let e: TaskEval;
    if (t.kind === "generation") {
      if (generate === undefined) throw new RangeError(`evaluateTasks: task ${t.name} is a generation task; pass a text generator (modelGenerator(model, tokenizer))`);
      const { em, f1 } = meanEmF1(await generateAnswers(t.test, generate));
      e = { accuracy: em, dev_loss: dl, test_n: t.test.length, dev_n: t.dev.length, em, f1 };
    } else {
      e = { accuracy: await accuracy(t.test, score), dev_loss: dl, test_n: t.test.length, dev_n: t.dev.length };
    }
    per[t.name] = e;
    losses.push(dl);
    sum += headline(e);
  }
  return { dev_loss: meanFinite(losses), average: sum / tasks.length, tasks: per };
}
