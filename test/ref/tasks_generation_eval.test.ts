/** Generation evaluation without a GPU: prompt tokens, stop handling, EM/F1 per example and in EvalReport. */
import { suite } from "uvu";
import * as assert from "uvu/assert";
import type { Example } from "../../src/tasks/example.ts";
import { encodeExample, type ScoreFn } from "../../src/tasks/encode.ts";
import { evaluateTasks } from "../../src/train/evaluate.ts";
import { generateAnswers, promptTokens, type TextGenerator } from "../../src/train/generation_eval.ts";
import type { PreparedTask } from "../../src/train/prepared_tasks.ts";

/** One token per character (BOS 1), enough to check which tokens reach the generator. */
const charTok = { bosId: 1, encode: (s: string) => Int32Array.from([...s].map((c) => c.codePointAt(0)!)) };

function genExample(id: string, prompt: string, answers: string[]): Example {
  return { task: "qa", id, prompt, candidates: [` ${answers[0]}\n`], label: 0, objective: "lm", answers, generation: { prefix: " ", stop: "\n", maxNewTokens: 5 } };
}

const s = suite("generation evaluation");

s("the generator gets BOS + the prompt's tokens (truncated from the left like training) and the task's limits", async () => {
  const e = encodeExample(genExample("t:0", "abcdef", ["xy"]), charTok, { maxLength: 7 });
  // BOS + "abcdef" + " xy\n" is 11 tokens; 7 keep BOS, the last 2 prompt tokens and the 4-token answer.
  assert.equal(promptTokens(e), [1, 101, 102]); // BOS, "e", "f"
  const calls: unknown[] = [];
  const gen: TextGenerator = (p, o) => {
    calls.push([p.length, o]);
    return Promise.resolve(" The XY.\nmore text");
  };
  const [a] = await generateAnswers([e], gen);
  assert.equal(calls, [[3, { maxTokens: 5, stop: "\n" }]]);
  assert.equal([a!.prediction, a!.em, a!.f1], ["The XY.", 1, 1]);
});

s("evaluateTasks: EM and F1 per generation task, F1 as its headline in the average; no generator is an error", async () => {
  const test = [genExample("t:0", "q1", ["red ball"]), genExample("t:1", "q2", ["Lily"])].map((e) => encodeExample(e, charTok, { maxLength: 64 }));
  const task: PreparedTask = { name: "qa", kind: "generation", objective: "lm", train: test, dev: [], test, skipped: [] };
  const outputs: Record<string, string> = { q1: " a big red ball\n", q2: " Tom" };
  const gen: TextGenerator = (p) => Promise.resolve(outputs[String.fromCodePoint(...p.slice(1))]!);
  const score: ScoreFn = (seqs) => Promise.resolve(seqs.map(() => ({ sum: -1, count: 1, mean: -1 })));
  const r = await evaluateTasks([task], score, gen);
  // "a big red ball" vs "red ball": normalised ["big", "red", "ball"] vs ["red", "ball"]: P 2/3, R 1, F1 0.8; EM 0. "Tom" vs "Lily": 0.
  const qa = r.tasks.qa!;
  assert.equal([qa.em, qa.accuracy, qa.test_n, qa.dev_n], [0, 0, 2, 0]);
  assert.ok(Math.abs(qa.f1! - 0.4) < 1e-12, String(qa.f1));
  assert.is(r.average, qa.f1);
  assert.ok(Number.isNaN(r.dev_loss), "no dev examples: NaN dev loss");
  try {
    await evaluateTasks([task], score);
    assert.unreachable("no generator");
  } catch (e) {
    assert.match((e as Error).message, "task qa is a generation task; pass a text generator");
  }
});

s.run();
