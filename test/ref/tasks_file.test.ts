/** User task files: schema validation, every data format, the three kinds, split rules, bad records. */
import { suite } from "uvu";
import * as assert from "uvu/assert";
import { parquetWriteBuffer } from "hyparquet-writer";
import { loadTask, loadTasks, type ReadOptions } from "../../src/tasks/load.ts";
import { BadRecordsError } from "../../src/tasks/pools.ts";
import { parseTaskSpec, TaskFileError } from "../../src/tasks/task_file.ts";
import { TaskDataError } from "../../src/tasks/errors.ts";
import { readTextFile } from "../../src/tasks/read_text.ts";

/** An in-memory file system for task files and their data. */
function memFs(files: Record<string, string | Uint8Array>): ReadOptions {
  const get = (p: string) => {
    const v = files[p];
    if (v === undefined) return Promise.reject(new TaskDataError(p, 0, "cannot read the file (not in the test's file map)"));
    return Promise.resolve(v);
  };
  return {
    read: async (p) => {
      const v = await get(p);
      return typeof v === "string" ? v : new TextDecoder().decode(v);
    },
    readBytes: async (p) => {
      const v = await get(p);
      return typeof v === "string" ? new TextEncoder().encode(v) : v;
    },
  };
}
const json = (o: unknown) => JSON.stringify(o);
const opts = { seed: 0, sizes: { train: 100, dev: 0, test: 100 } };

const schema = suite("task file schema: errors name the file, the field, the value and what was expected");
const base = { name: "t", kind: "classification", data: { train: "a.csv", test: "b.csv" }, template: "{x}", label_field: "y", verbalizer: { a: " A", b: " B" } };
const bad: [string, Record<string, unknown>, RegExp][] = [
  ["unknown kind", { ...base, kind: "regression" }, /t\.json: "kind" must be one of "classification", "multiple-choice", "generation", got "regression"/],
  ["missing verbalizer", { ...base, verbalizer: undefined }, /"verbalizer" is needed for kind "classification"/],
  ["a one-entry verbalizer", { ...base, verbalizer: { a: " A" } }, /"verbalizer" must map at least two label values/],
  ["an unknown top-level key", { ...base, labelfield: "y" }, /"labelfield" is not a known key; expected one of name, kind/],
  ["a file of unknown format", { ...base, data: { train: "a.dat", test: "b.csv" } }, /"data\.train\.format" is needed: the format of "a\.dat" cannot be told/],
  ["no test data", { ...base, data: { train: "a.csv" } }, /"data" must give test data/],
  ["a split rule without a file", { ...base, data: { train: "a.csv", test: "b.csv", split: { test: 3 } } }, /"data\.split" only applies to "data\.file"/],
  ["a bad split fraction", { ...base, data: { file: "a.csv", split: { test: 1.5 } } }, /"data\.split\.test" must be a record count \(integer >= 1\) or a fraction in \(0, 1\), got 1\.5/],
  ["an unknown transform", { ...base, derive: { x: { from: "x", apply: ["shout"] } } }, /"derive\.x\.apply\[0\]" is not a known transform: "shout"; known: trim/],
  ["generation with the classification objective", { name: "g", kind: "generation", data: base.data, template: "{q}", answer_field: "a", objective: "classification" }, /"objective" must be "lm" for a generation task/],
  ["multiple-choice with both candidates and candidates_field", { name: "m", kind: "multiple-choice", data: base.data, template: "{q}", label_field: "l", candidates: [" a", " b"], candidates_field: "c" }, /give exactly one of "candidates"/],
  ["a negative size", { ...base, sizes: { train: -1 } }, /"sizes\.train" must be an integer >= 0, got -1/],
];
for (const [what, doc, re] of bad) {
  schema(`rejects ${what}`, () => {
    assert.throws(() => parseTaskSpec(JSON.parse(json(doc)), "t.json"), (e: unknown) => e instanceof TaskFileError && re.test((e as Error).message));
  });
}
schema("accepts the issue's three example forms", () => {
  parseTaskSpec({ name: "wsc", kind: "classification", data: { train: "train.csv", dev: "dev.csv", test: "test.csv" }, template: '{text} Does "{span2}" refer to "{span1}"?', label_field: "label", verbalizer: { False: " No", True: " Yes" } }, "wsc.json");
  parseTaskSpec({ name: "mc", kind: "multiple-choice", data: { train: "t.jsonl", test: "v.jsonl" }, template: "{premise} so", candidates: [" {choice1}", " {choice2}"], label_field: "label" }, "mc.json");
  const g = parseTaskSpec({ name: "qa", kind: "generation", data: { train: "t.parquet", test: "v.parquet" }, template: "{context} Q: {question} A:", answer_field: "answer" }, "qa.json");
  assert.is(g.objective, "lm");
  assert.equal([g.answerPrefix, g.stop, g.maxNewTokens], [" ", "\n", 50]);
});
schema.run();

const formats = suite("data formats: CSV, TSV, JSON Lines, JSON, Parquet");
formats("CSV through papaparse: quoted commas, doubled quotes and a line break inside a field; paths relative to the task file", async () => {
  const csv = 'text,label\n"a, b",yes\n"say ""hi""",no\n"two\nlines",yes\nplain,no\n';
  const fs = memFs({ "/w/t.json": json({ ...base, data: { train: "d/train.csv", test: "/abs/test.csv" }, template: "{text}?", label_field: "label", verbalizer: { no: " No", yes: " Yes" } }), "/w/d/train.csv": csv, "/abs/test.csv": "text,label\nq,no\n" });
  const s = await loadTask("/w/t.json", { ...opts, ...fs });
  const byId = new Map(s.train.map((e) => [e.id, e]));
  assert.equal([byId.get("train:0")!.prompt, byId.get("train:1")!.prompt, byId.get("train:2")!.prompt], ["a, b?", 'say "hi"?', "two\nlines?"]);
  assert.equal(byId.get("train:0")!.candidates, [" No", " Yes"]);
  assert.is(byId.get("train:0")!.label, 1);
  assert.is(s.test[0]!.id, "test:0");
});
formats("TSV with a header, and unquoted TSV where a quote is an ordinary character", async () => {
  const fs = memFs({
    "/w/t.json": json({ ...base, data: { train: "a.tsv", test: { path: "b.txt", format: "tsv", header: false, quote: false, columns: ["x", "y"] } } }),
    "/w/a.tsv": "x\ty\nfoo\ta\nbar\tb\n",
    "/w/b.txt": '"quoted\ta\nhalf "q\tb\n',
  });
  const s = await loadTask("/w/t.json", { ...opts, ...fs });
  assert.equal(s.train.map((e) => e.prompt).sort(), ["bar", "foo"]);
  assert.equal(s.test.map((e) => e.prompt).sort(), ['"quoted', 'half "q']);
});
formats("Parquet (written at test time with hyparquet-writer): text, integer labels, a generation task", async () => {
  const pq = new Uint8Array(parquetWriteBuffer({ columnData: [{ name: "q", data: ["one?", "two?", "three?"], type: "STRING" }, { name: "n", data: [1n, 2n, 3n], type: "INT64" }] }));
  const fs = memFs({ "/w/g.json": json({ name: "g", kind: "generation", data: { file: "g.parquet", split: { rule: "head", train: 2 } }, template: "Q: {q}\nA:", answer_field: "n" }), "/w/g.parquet": pq });
  const s = await loadTask("/w/g.json", { ...opts, ...fs });
  assert.equal(s.train.map((e) => [e.id, e.prompt, e.candidates, e.answers]).sort(), [["g:0", "Q: one?\nA:", [" 1\n"], ["1"]], ["g:1", "Q: two?\nA:", [" 2\n"], ["2"]]]);
  assert.equal(s.test[0]!.answers, ["3"]);
  assert.is(s.test[0]!.objective, "lm");
  assert.equal(s.test[0]!.generation, { prefix: " ", stop: "\n", maxNewTokens: 50 });
});
formats("a file that is not Parquet is an error naming it", async () => {
  const fs = memFs({ "/w/g.json": json({ name: "g", kind: "generation", data: { train: "x.parquet", test: "x.parquet" }, template: "{q}", answer_field: "a" }), "/w/x.parquet": "not parquet at all" });
  try {
    await loadTask("/w/g.json", { ...opts, ...fs });
    assert.unreachable("should have thrown");
  } catch (e) {
    assert.instance(e, TaskDataError);
    assert.match((e as Error).message, /\/w\/x\.parquet: cannot read it as Parquet/);
  }
});
formats("JSON Lines with a list of acceptable answers, and multiple-choice from a list field and from several fields", async () => {
  const fs = memFs({
    "/w/g.json": json({ name: "g", kind: "generation", data: { train: "g.jsonl", test: "g2.jsonl" }, template: "{q}", answer_field: "a" }),
    "/w/g.jsonl": '{"q": "x", "a": ["Paris", "the city of Paris"]}\n',
    "/w/g2.jsonl": '{"q": "y", "a": "Rome"}\n',
    "/w/m.json": json({ name: "m", kind: "multiple-choice", data: { train: "m.jsonl", test: "m2.jsonl" }, template: "{q}", candidates_field: "c", label_field: "l" }),
    "/w/m.jsonl": '{"q": "pick", "c": ["a", "b", "c"], "l": 2}\n',
    "/w/m2.jsonl": '{"q": "pick", "c": ["a", "b"], "l": 0}\n',
  });
  const g = await loadTask("/w/g.json", { ...opts, ...fs });
  assert.equal(g.train[0]!.answers, ["Paris", "the city of Paris"]);
  assert.equal(g.train[0]!.candidates, [" Paris\n"]);
  const m = await loadTask("/w/m.json", { ...opts, ...fs });
  assert.equal([m.train[0]!.candidates, m.train[0]!.label], [[" a", " b", " c"], 2]);
  const f = await loadTask({ spec: parseTaskSpec({ name: "f", kind: "multiple-choice", data: { train: "f.json", test: "f2.json" }, template: "{q}", candidates_field: ["c1", "c2"], candidate_prefix: "", label_field: "l" }, "/w/f.json"), baseDir: "/v" }, { ...opts, ...memFs({ "/v/f.json": '[{"q": "Q", "c1": "yes", "c2": "no", "l": "1"}]', "/v/f2.json": '[{"q": "R", "c1": "yes", "c2": "no", "l": 0}]' }) });
  assert.equal([f.train[0]!.candidates, f.train[0]!.label], [["yes", "no"], 1]);
});
formats.run();

const splits = suite("split rules and dev files");
const many = (n: number) => Array.from({ length: n }, (_, i) => json({ x: `r${i}`, y: i % 2 === 0 ? "a" : "b", s: i < 6 ? "train" : i < 8 ? "validation" : "test" })).join("\n");
splits("a split field routes records to train/dev/test pools; a dev pool feeds dev, train keeps all train records", async () => {
  const fs = memFs({ "/w/t.json": json({ ...base, data: { file: "d.jsonl", split: { rule: "field", field: "s", values: { dev: "validation" } } } }), "/w/d.jsonl": many(10) });
  const s = await loadTask("/w/t.json", { seed: 1, sizes: { train: 100, dev: 100, test: 100 }, ...fs });
  assert.equal([s.train.length, s.dev.length, s.test.length], [6, 2, 2]);
  assert.equal(s.dev.map((e) => e.prompt).sort(), ["r6", "r7"]);
});
splits("a random split is fixed (independent of the sampling seed) and takes a fraction", async () => {
  const fs = memFs({ "/w/t.json": json({ ...base, data: { file: "d.jsonl", split: { test: 0.3 } } }), "/w/d.jsonl": many(10) });
  const a = await loadTask("/w/t.json", { seed: 1, ...fs });
  const b = await loadTask("/w/t.json", { seed: 2, ...fs });
  assert.is(a.test.length, 3);
  assert.equal(a.test.map((e) => e.id).sort(), b.test.map((e) => e.id).sort());
});
splits("a task file's own sizes and seed apply; the request's sizes win over them", async () => {
  const fs = memFs({ "/w/t.json": json({ ...base, data: { file: "d.jsonl", split: { test: 2 } }, sizes: { train: 3, dev: 1 }, seed: 7 }), "/w/d.jsonl": many(10) });
  const a = await loadTask("/w/t.json", { seed: 1, ...fs });
  const b = await loadTask("/w/t.json", { seed: 2, ...fs });
  assert.equal([a.train.length, a.dev.length], [3, 1]);
  assert.equal(a.train.map((e) => e.id), b.train.map((e) => e.id));
  assert.is((await loadTask("/w/t.json", { seed: 1, sizes: { train: 5 }, ...fs })).train.length, 5);
});
splits("a default dev size keeps only its share of a small train pool; a requested or task-file dev size is kept", async () => {
  // 45 train-pool records (50 - 5 test); defaults 200/40 would leave train 5 by the dev-first rule.
  const doc = { ...base, data: { file: "d.jsonl", split: { test: 5 } } };
  const fs = memFs({ "/w/t.json": json(doc), "/w/d.jsonl": many(50), "/w/f.json": json({ ...doc, sizes: { dev: 40 } }) });
  const fallbackSizes = { train: 200, dev: 40, test: 100 };
  const d = await loadTask("/w/t.json", { seed: 0, fallbackSizes, ...fs });
  assert.equal([d.train.length, d.dev.length, d.test.length], [37, 8, 5]); // dev round(45 * 40 / 240) = 8
  const asked = await loadTask("/w/t.json", { seed: 0, fallbackSizes, sizes: { dev: 40 }, ...fs });
  assert.equal([asked.train.length, asked.dev.length], [5, 40]);
  const filed = await loadTask("/w/f.json", { seed: 0, fallbackSizes, ...fs });
  assert.equal([filed.train.length, filed.dev.length], [5, 40]);
  const roomy = await loadTask("/w/t.json", { seed: 0, fallbackSizes: { train: 20, dev: 10 }, ...fs });
  assert.equal([roomy.train.length, roomy.dev.length], [20, 10]);
});
splits("loadTasks mixes built-in and user tasks and rejects two tasks of the same name", async () => {
  const fs = memFs({ "/w/t.json": json({ ...base, data: { file: "d.jsonl", split: { test: 2 } } }), "/w/u.json": json({ ...base, data: { file: "d.jsonl", split: { test: 2 } } }), "/w/d.jsonl": many(10) });
  const both = await loadTasks(["cb", "/w/t.json"], { seed: 0, sizes: { train: 2, dev: 1, test: 2 }, ...fs, read: (p) => (p.startsWith("/w/") ? fs.read!(p) : readTextFile(p)) });
  assert.equal(both.map((t) => [t.task, t.train.length]), [["cb", 2], ["t", 2]]);
  try {
    await loadTasks(["/w/t.json", "/w/u.json"], { seed: 0, ...fs });
    assert.unreachable("should have thrown");
  } catch (e) {
    assert.match((e as Error).message, /two tasks are named "t" \(\/w\/u\.json\)/);
  }
});
splits.run();

const badData = suite("bad records are never dropped silently");
badData("the load stops with the count and the first examples (file, line, field, value, expectation)", async () => {
  const lines = ['{"x": "ok", "y": "a"}', '{"x": "no label"}', "not json", '{"x": "z", "y": "c"}', '{"x": "ok2", "y": "b"}'];
  const fs = memFs({ "/w/t.json": json({ ...base, data: { train: "d.jsonl", test: "e.jsonl" } }), "/w/d.jsonl": lines.join("\n"), "/w/e.jsonl": lines.join("\n") });
  try {
    await loadTask("/w/t.json", { ...opts, ...fs });
    assert.unreachable("should have thrown");
  } catch (e) {
    assert.instance(e, BadRecordsError);
    const m = (e as Error).message;
    assert.match(m, /task t: 6 records cannot be used \(fix the data, or pass --skip-bad/);
    assert.match(m, /\/w\/d\.jsonl line 2: field "y": expected a label \(text, a number or a boolean\), got no such field/);
    assert.match(m, /\/w\/d\.jsonl line 3: expected a JSON object, got invalid JSON/);
    assert.match(m, /\/w\/d\.jsonl line 4: field "y": value "c" is not one of the verbalizer keys "a", "b"/);
  }
});
badData("skipBad leaves them out and reports each one", async () => {
  const fs = memFs({ "/w/t.json": json({ ...base, data: { train: "d.jsonl", test: "e.jsonl" } }), "/w/d.jsonl": '{"x": "ok", "y": "a"}\n{"x": "bad", "y": "c"}\n', "/w/e.jsonl": '{"x": "t", "y": "b"}\n' });
  const s = await loadTask("/w/t.json", { ...opts, ...fs, skipBad: true });
  assert.is(s.train.length, 1);
  assert.equal(s.skipped, ['/w/d.jsonl line 2: field "y": value "c" is not one of the verbalizer keys "a", "b"']);
});
badData("a generation record with an empty answer list and a record id repeated across files are errors", async () => {
  const fs = memFs({ "/w/g.json": json({ name: "g", kind: "generation", data: { train: "d.jsonl", test: "e.jsonl" }, template: "{q}", answer_field: "a" }), "/w/d.jsonl": '{"q": "x", "a": []}\n', "/w/e.jsonl": '{"q": "x", "a": "y"}\n' });
  try {
    await loadTask("/w/g.json", { ...opts, ...fs });
    assert.unreachable("should have thrown");
  } catch (e) {
    assert.match((e as Error).message, /field "a": expected an answer \(non-empty text\) or a non-empty list of them, got \[\]/);
  }
  const dup = memFs({ "/w/t.json": json({ ...base, data: { train: "d.jsonl", test: "d.jsonl" } }), "/w/d.jsonl": '{"x": "a", "y": "a"}\n' });
  try {
    await loadTask("/w/t.json", { ...opts, ...dup });
    assert.unreachable("should have thrown");
  } catch (e) {
    assert.match((e as Error).message, /two records share the id "d:0"/);
  }
});
badData.run();
