// `mazo train --tasks` with user task files next to a built-in task: a CSV classification task and a
// JSON Lines multiple-choice task, written to a temp folder, train a few steps in one mixture with
// sst2, and the run's eval.json reports all three; sizes come from the flags, then the task file, then
// the defaults; bad records stop the run (file, line, field) unless --skip-bad, which reports the count;
// a broken task file or an unknown task name fails before any GPU work, naming what was wrong.
import { suite } from "uvu";
import * as assert from "uvu/assert";
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { gpuOrSkip } from "../harness/gpu.ts";
import { cli } from "./spawn_cli.ts";

interface TaskReport {
  readonly accuracy: number;
  readonly dev_loss: number;
  readonly test_n: number;
  readonly dev_n: number;
}
interface EvalJson {
  readonly before: { readonly tasks: Record<string, TaskReport> };
  readonly after: { readonly tasks: Record<string, TaskReport>; readonly average: number };
  readonly skipped_records?: Record<string, number>;
}
const readJson = (p: string) => JSON.parse(readFileSync(p, "utf8"));

const CATEGORIES = ["billing", "login", "shipping"] as const;
const SUBJECTS: Record<(typeof CATEGORIES)[number], string[]> = {
  billing: ["I was charged twice", "my invoice shows the wrong amount", "refund not received", "card declined, but charged"],
  login: ["cannot sign in", "password reset link expired", "account locked after update", "two-factor code never arrives"],
  shipping: ["parcel has not arrived", "wrong address on the label", "box arrived damaged", "tracking says delivered, nothing here"],
};

/** A CSV with a header, quoted fields holding commas and quotes, 24 records. */
function ticketsCsv(extra = ""): string {
  const rows = ["subject,body,category"];
  for (const c of CATEGORIES) {
    for (const s of SUBJECTS[c]) {
      rows.push(`"${s}","Hello, ${s}. Please help.",${c}`);
      rows.push(`"${s}","Hi team, ""${s}"" again, thanks.",${c}`);
    }
  }
  return rows.join("\n") + "\n" + extra;
}

const TICKETS_TASK = {
  name: "tickets",
  kind: "classification",
  data: { file: "tickets.csv", split: { rule: "random", test: 6 } },
  template: "Ticket: {subject}\n{body}\nCategory:",
  label_field: "category",
  verbalizer: { billing: " billing", login: " login", shipping: " shipping" },
  sizes: { test: 3 },
  truncate: "body",
};

/** Story endings, JSON Lines, candidates in a list field and the gold index. */
function endingsJsonl(n: number, offset: number): string {
  const lines: string[] = [];
  for (let i = 0; i < n; i++) {
    const who = ["Lily", "Tom", "Ben", "Sue"][(i + offset) % 4]!;
    const good = i % 2 === 0 ? 0 : 1;
    const choices = good === 0 ? [`${who} smiled and went home.`, `${who} ate the moon.`] : [`The tree sang to ${who}.`, `${who} said thank you.`];
    lines.push(JSON.stringify({ id: `s${offset + i}`, context: `${who} found a lost ball in the park and gave it back.`, choices, label: good }));
  }
  return lines.join("\n") + "\n";
}

const ENDINGS_TASK = {
  name: "endings",
  kind: "multiple-choice",
  data: { train: { path: "endings_train.jsonl", id_field: "id" }, test: { path: "endings_test.jsonl", id_field: "id" } },
  template: "{context}",
  candidates_field: "choices",
  label_field: "label",
};

const ctx = await gpuOrSkip("cli tasks");
if (ctx) {
  ctx.destroy(); // the CLI makes its own
  const s = suite("mazo train --tasks with task files");
  const dir = mkdtempSync(join(tmpdir(), "mazo-tasks-"));
  const data = join(dir, "data");
  const write = (name: string, text: string) => writeFileSync(join(data, name), text);
  mkdirSync(data);
  write("tickets.csv", ticketsCsv());
  write("tickets.json", JSON.stringify(TICKETS_TASK, null, 2));
  write("endings_train.jsonl", endingsJsonl(12, 0));
  write("endings_test.jsonl", endingsJsonl(4, 100));
  write("endings.json", JSON.stringify(ENDINGS_TASK, null, 2));
  const small = ["--batch", "3", "--max-len", "64", "--eval-every", "3", "--checkpoint-every", "0", "--calib-n", "2", "--seed", "1"];

  s("sst2 + a CSV task + a JSON Lines task train together; eval.json has all three", () => {
    const run = join(dir, "mix");
    // --train-n/--dev-n for every task; test sizes: --test-n absent, so tickets takes its file's 3 and
    // sst2 and endings the default (100; endings' test pool holds 4).
    const r = cli(["train", "--tasks", `sst2,${join(data, "tickets.json")},${join(data, "endings.json")}`, "--train-n", "6", "--dev-n", "2", "--steps", "3", ...small, "--quiet", "--out", run]);
    assert.is(r.status, 0, r.out);
    const ev = readJson(join(run, "eval.json")) as EvalJson;
    assert.equal(Object.keys(ev.after.tasks), ["sst2", "tickets", "endings"]);
    assert.equal(Object.keys(ev.before.tasks), ["sst2", "tickets", "endings"]);
    assert.equal(Object.values(ev.after.tasks).map((t) => [t.test_n, t.dev_n]), [[100, 2], [3, 2], [4, 2]]);
    for (const [name, t] of Object.entries(ev.after.tasks)) {
      assert.ok(t.accuracy >= 0 && t.accuracy <= 1, `${name} accuracy ${t.accuracy}`);
      assert.ok(Number.isFinite(t.dev_loss), `${name} dev loss ${t.dev_loss}`);
    }
    assert.match(r.stdout, /\| tickets +\| +\d+\.\d% \|/);
    assert.match(r.stdout, /\| endings +\| +\d+\.\d% \|/);
    // The saved options hold absolute task-file paths (so --resume and eval --run work from anywhere).
    const saved = readJson(join(run, "config.json")).options.tasks as string;
    assert.equal(saved.split(","), ["sst2", join(data, "tickets.json"), join(data, "endings.json")]);
    const metrics = readFileSync(join(run, "metrics.jsonl"), "utf8").trim().split("\n").map((l) => JSON.parse(l) as { tasks?: Record<string, number> });
    const seen = new Set(metrics.flatMap((m) => Object.keys(m.tasks ?? {})));
    assert.ok(seen.size >= 2, `3 steps of batch 3 drew from ${[...seen].join(", ")} only`);
    // eval --run finds the task files through the saved options and reproduces "after".
    const again = cli(["eval", "--run", run, "--out", join(dir, "mix-after.json"), "--quiet"]);
    assert.is(again.status, 0, again.out);
    assert.equal((readJson(join(dir, "mix-after.json")) as { tasks: Record<string, TaskReport> }).tasks, ev.after.tasks);
  });

  s("a bad record stops the run naming file, line and field; --skip-bad leaves it out and reports the count", () => {
    write("tickets_bad.csv", ticketsCsv(`"printer on fire","It is on fire.",hardware\n`));
    write("tickets_bad.json", JSON.stringify({ ...TICKETS_TASK, name: "tickets_bad", data: { file: "tickets_bad.csv", split: { rule: "random", test: 6 } } }));
    const task = join(data, "tickets_bad.json");
    const args = ["train", "--tasks", task, "--train-n", "4", "--dev-n", "1", "--test-n", "2", "--steps", "1", ...small];
    const stop = cli([...args, "--quiet", "--out", join(dir, "bad")]);
    assert.is(stop.status, 1, stop.out);
    assert.match(stop.out, "1 record cannot be used");
    assert.match(stop.out, /tickets_bad\.csv line 26: field "category": value "hardware" is not one of the verbalizer keys "billing", "login", "shipping"/);
    assert.match(stop.out, "--skip-bad");
    const skip = cli([...args, "--skip-bad", "--out", join(dir, "skip")]);
    assert.is(skip.status, 0, skip.out);
    assert.match(skip.out, /task tickets_bad: left out 1 record that cannot be used/);
    assert.equal((readJson(join(dir, "skip", "eval.json")) as EvalJson).skipped_records, { tickets_bad: 1 });
  });

  s("a broken task file and an unknown task name fail at once, saying what was wrong", () => {
    write("broken.json", JSON.stringify({ ...TICKETS_TASK, name: "broken", kind: "regression" }));
    const broken = cli(["train", "--tasks", `sst2,${join(data, "broken.json")}`, "--quiet", "--out", join(dir, "broken")]);
    assert.is(broken.status, 1, broken.out);
    assert.match(broken.out, /broken\.json: "kind" must be one of "classification", "multiple-choice", "generation", got "regression"/);
    const unknown = cli(["train", "--tasks", "sst2,tickets", "--quiet", "--out", join(dir, "unknown")]);
    assert.is(unknown.status, 2, unknown.out);
    assert.match(unknown.out, /unknown task "tickets"; valid: sst2, trec, .*or the path of a task file/);
    const missing = cli(["eval", "--tasks", join(data, "nope.json"), "--quiet"]);
    assert.is(missing.status, 1, missing.out);
    assert.match(missing.out, /nope\.json: cannot read the file/);
  });

  s.after(() => rmSync(dir, { recursive: true, force: true }));
  s.run();
}
