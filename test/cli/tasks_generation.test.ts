// Generation task files with stories260K: `mazo eval` greedy-decodes each test prompt (stop at "\n" or
// max_new_tokens) and scores exact match and token F1 as MeZO does for SQuAD. The answers are built from
// what `mazo generate` decodes for the same prompts, so the expected EM and F1 are computed here by hand
// from that text: one answer equals the prediction up to case and punctuation (EM 1, F1 1), the other
// shares exactly one word with it (EM 0, F1 = 2PR / (P + R) with P = 1/len(prediction), R = 1/2). Then a
// generation task over Parquet trains 2 steps in a mixture with copa (teacher-forced LM loss), and the
// run's eval.json carries its EM/F1.
import { suite } from "uvu";
import * as assert from "uvu/assert";
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { parquetWriteBuffer } from "hyparquet-writer";
import { gpuOrSkip } from "../harness/gpu.ts";
import { cli } from "./spawn_cli.ts";

interface TaskReport {
  readonly accuracy: number;
  readonly em?: number;
  readonly f1?: number;
  readonly test_n: number;
}
const readJson = (p: string) => JSON.parse(readFileSync(p, "utf8"));

const MAX_NEW = 6;
const TEMPLATE = "{story}\nQuestion: {question}\nAnswer:";
const RECORDS = [
  { story: "Lily went to the park with her dog.", question: "Who went to the park?" },
  { story: "Tom had a red ball. He gave it to Sue.", question: "What did Tom have?" },
];
const prompt = (r: { story: string; question: string }) => TEMPLATE.replace("{story}", r.story).replace("{question}", r.question);

/** MeZO's normalisation, written out again: lower-case, drop ASCII punctuation and a/an/the, split on whitespace. */
function words(s: string): string[] {
  const noPunct = [...s.toLowerCase()].filter((c) => !"!\"#$%&'()*+,-./:;<=>?@[\\]^_`{|}~".includes(c)).join("");
  return noPunct.split(/\s+/).filter((w) => w !== "" && w !== "a" && w !== "an" && w !== "the");
}

const ctx = await gpuOrSkip("cli generation tasks");
if (ctx) {
  ctx.destroy(); // the CLI makes its own
  const s = suite("generation tasks: greedy decoding, exact match and token F1");
  const dir = mkdtempSync(join(tmpdir(), "mazo-gen-"));
  const data = join(dir, "data");
  mkdirSync(data);

  s("mazo eval: EM and F1 of two decoded answers equal the values computed from the decoded text", () => {
    const predictions = RECORDS.map((r) => {
      const g = cli(["generate", "--prompt", prompt(r), "--max-tokens", String(MAX_NEW), "--quiet"]);
      assert.is(g.status, 0, g.out);
      const text = g.stdout.replace(/\n$/, ""); // generate ends its output with a newline
      return text.split("\n")[0]!.trim();
    });
    const w0 = words(predictions[0]!), w1 = words(predictions[1]!);
    assert.ok(w0.length > 0 && w1.length > 0, `stories260K decoded no word for a prompt: ${JSON.stringify(predictions)}`);
    // Answer 1: the prediction shouted, with punctuation (normalises to the same words). Answer 2: one
    // word shared with the prediction (its first) and one it lacks: 1 common token of len(w1) and 2.
    const answers = [[`${predictions[0]!.toUpperCase()}!!`], [`zzyzx ${w1[0]}`]];
    const p = 1 / w1.length, rec = 1 / 2;
    const f1Second = (2 * p * rec) / (p + rec);
    const lines = (rs: typeof RECORDS, as: string[][]) => rs.map((r, i) => JSON.stringify({ ...r, answer: as[i] })).join("\n") + "\n";
    writeFileSync(join(data, "qa_test.jsonl"), lines(RECORDS, answers));
    writeFileSync(join(data, "qa_train.jsonl"), lines(RECORDS, [["Lily"], ["a red ball"]]));
    writeFileSync(join(data, "qa.json"), JSON.stringify({ name: "qa", kind: "generation", data: { train: "qa_train.jsonl", test: "qa_test.jsonl" }, template: TEMPLATE, answer_field: "answer", max_new_tokens: MAX_NEW }));

    const out = join(dir, "qa_eval.json");
    const r = cli(["eval", "--tasks", join(data, "qa.json"), "--train-n", "1", "--dev-n", "1", "--test-n", "2", "--max-len", "256", "--out", out, "--quiet"]);
    assert.is(r.status, 0, r.out);
    const got = readJson(out) as { average: number; tasks: Record<string, TaskReport> };
    const qa = got.tasks.qa!;
    assert.is(qa.test_n, 2);
    assert.is(qa.em, 0.5, `decoded ${JSON.stringify(predictions)}`);
    assert.is(qa.accuracy, 0.5);
    assert.ok(Math.abs(qa.f1! - (1 + f1Second) / 2) < 1e-12, `f1 ${qa.f1} vs hand-computed ${(1 + f1Second) / 2} from ${JSON.stringify(predictions)}`);
    assert.is(got.average, qa.f1, "a generation task's headline metric is F1");
    assert.match(r.stdout, /\| qa +\| EM 50\.0% F1 \d+\.\d% \|/);
  });

  s("a generation task over Parquet trains with copa (LM loss); eval.json has its EM and F1", () => {
    const n = 8;
    const names = ["Lily", "Tom", "Sue", "Ben"];
    const story = Array.from({ length: n }, (_, i) => `${names[i % 4]} saw a big dog in the park.`);
    const question = Array.from({ length: n }, () => "Who saw the dog?");
    const answer = Array.from({ length: n }, (_, i) => names[i % 4]!);
    const pq = new Uint8Array(parquetWriteBuffer({ columnData: [{ name: "story", data: story, type: "STRING" }, { name: "question", data: question, type: "STRING" }, { name: "answer", data: answer, type: "STRING" }] }));
    writeFileSync(join(data, "who.parquet"), pq);
    writeFileSync(join(data, "who.json"), JSON.stringify({ name: "who", kind: "generation", data: { file: "who.parquet", split: { rule: "random", test: 2 } }, template: TEMPLATE, answer_field: "answer", max_new_tokens: 4 }));
    const run = join(dir, "run");
    const r = cli(["train", "--tasks", `copa,${join(data, "who.json")}`, "--train-n", "4", "--dev-n", "2", "--test-n", "2", "--batch", "2", "--max-len", "64", "--steps", "2", "--eval-every", "2", "--checkpoint-every", "0", "--calib-n", "2", "--seed", "3", "--quiet", "--out", run]);
    assert.is(r.status, 0, r.out);
    const ev = readJson(join(run, "eval.json")) as { before: { tasks: Record<string, TaskReport> }; after: { tasks: Record<string, TaskReport> } };
    assert.equal(Object.keys(ev.after.tasks), ["copa", "who"]);
    for (const side of [ev.before, ev.after]) {
      const who = side.tasks.who!;
      assert.ok(who.em !== undefined && who.f1 !== undefined && who.em >= 0 && who.em <= 1 && who.f1 >= who.em && who.f1 <= 1, JSON.stringify(who));
      assert.is(side.tasks.copa!.em, undefined);
    }
    assert.match(r.stdout, /\| who +\| EM \d+\.\d% F1 \d+\.\d% \| EM \d+\.\d% F1 \d+\.\d% \|/);
  });

  s.after(() => rmSync(dir, { recursive: true, force: true }));
  s.run();
}
