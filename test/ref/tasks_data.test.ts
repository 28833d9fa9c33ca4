/** The task loaders on the real shared data: counts, label ranges, a known first record per pool. */
import process from "node:process";
import { suite } from "uvu";
import * as assert from "uvu/assert";
import { TASK_NAMES } from "../../src/tasks/example.ts";
import { resolveDataDir } from "../../src/tasks/data_dir.ts";
import { TaskDataError } from "../../src/tasks/errors.ts";
import { loadPools, loadTask } from "../../src/tasks/load.ts";
import { BadRecordsError } from "../../src/tasks/pools.ts";
import type { RawRecord, TaskPools } from "../../src/tasks/record.ts";
import { readTextFile } from "../../src/tasks/read_text.ts";
import { builtinTask } from "../../src/tasks/registry.ts";
import { labelNames } from "../../src/tasks/task_file.ts";

const pools = new Map<string, TaskPools>();
for (const t of TASK_NAMES) pools.set(t, await loadPools(t));
const get = (t: string): TaskPools => pools.get(t)!;

function histogram(rs: readonly RawRecord[], classes: number): number[] {
  const h = new Array<number>(classes).fill(0);
  for (const r of rs) h[r.label]!++;
  return h;
}

const counts = suite("task loaders: pool sizes and label counts");
const expected: Record<string, { train: number; test: number; trainLabels?: number[]; testLabels?: number[] }> = {
  sst2: { train: 6920, test: 872, trainLabels: [3310, 3610], testLabels: [428, 444] },
  trec: { train: 5452, test: 500, trainLabels: [86, 1162, 1250, 1223, 835, 896], testLabels: [9, 138, 94, 65, 81, 113] },
  boolq: { train: 2334, test: 1000 },
  rte: { train: 2490, test: 277, trainLabels: [1249, 1241], testLabels: [146, 131] },
  cb: { train: 250, test: 56, trainLabels: [115, 119, 16], testLabels: [23, 28, 5] },
  copa: { train: 400, test: 100 },
  wic: { train: 5428, test: 638, trainLabels: [2714, 2714] },
  agnews: { train: 5700, test: 1900 },
};
for (const t of TASK_NAMES) {
  const e = expected[t]!;
  counts(`${t} has ${e.train} train-pool and ${e.test} test-pool records with labels in range`, () => {
    const p = get(t);
    const classes = labelNames(builtinTask(t)).length;
    assert.is(p.train.length, e.train);
    assert.is(p.test.length, e.test);
    for (const r of [...p.train, ...p.test]) assert.ok(Number.isInteger(r.label) && r.label >= 0 && r.label < classes, `${t} ${r.id} label ${r.label}`);
    if (e.trainLabels) assert.equal(histogram(p.train, classes), e.trainLabels);
    if (e.testLabels) assert.equal(histogram(p.test, classes), e.testLabels);
  });
  counts(`${t} pools have unique ids and do not overlap`, () => {
    const p = get(t);
    const ids = [...p.train, ...p.test].map((r) => r.id);
    assert.is(new Set(ids).size, ids.length);
  });
}
counts("boolq pools together hold all 3270 val records with val's label counts (1237 false, 2033 true)", () => {
  const val = [...get("boolq").train, ...get("boolq").test].filter((r) => r.id.startsWith("val:"));
  assert.is(val.length, 3270);
  assert.equal(histogram(val, 2), [1237, 2033]);
});
counts("agnews pools together hold 7600 rows, 1900 per class", () => {
  const p = get("agnews");
  assert.equal(histogram([...p.train, ...p.test], 4), [1900, 1900, 1900, 1900]);
});
counts.run();

const first = suite("task loaders: known records");
first("sst2 train starts with the positive 'a stirring , funny ...' line", () => {
  const r = get("sst2").train[0]!;
  assert.is(r.label, 1);
  assert.is(r.fields.sentence, "a stirring , funny and finally transporting re-imagining of beauty and the beast and 1930s horror films");
});
first("trec train starts with a DESC question and test with a NUM question", () => {
  assert.equal(get("trec").train[0]!.fields.question, "How did serfdom develop in and then leave Russia ?");
  assert.is(get("trec").train[0]!.label, 1);
  assert.is(get("trec").test[0]!.fields.question, "How far is it from Denver to Aspen ?");
  assert.is(get("trec").test[0]!.label, 5);
});
first("boolq train pool starts with the FewGLUE ghost-in-the-shell question, normalised as MeZO does", () => {
  const r = get("boolq").train[0]!;
  assert.is(r.fields.question_raw, "is ghost in the shell based on the anime");
  assert.is(r.fields.question, "Is ghost in the shell based on the anime?");
  assert.is(r.label, 0);
});
first("rte and cb start with their files' first records", () => {
  assert.is(get("rte").train[0]!.fields.premise, "No Weapons of Mass Destruction Found in Iraq Yet.");
  assert.is(get("rte").train[0]!.label, 1);
  assert.ok(String(get("rte").test[0]!.fields.premise).startsWith("Dana Reeve, the widow"));
  assert.is(get("cb").train[0]!.fields.hypothesis, "the language was peeled down");
  assert.is(get("cb").train[0]!.label, 0);
  assert.is(get("cb").test[0]!.fields.hypothesis, "Valence was helping");
  assert.is(get("cb").test[0]!.label, 1);
});
first("copa item 1 opens the train pool and item 401 the test pool", () => {
  const a = get("copa").train[0]!;
  assert.equal([a.id, a.fields.premise, a.fields.connective, a.fields.choice1, a.label], ["copa:1", "My body cast a shadow over the grass", "because", "the sun was rising.", 0]);
  const b = get("copa").test[0]!;
  assert.equal([b.id, b.fields.premise, b.fields.connective, b.fields.choice2, b.label], ["copa:401", "The man turned on the faucet", "so", "water flowed from the spout.", 1]);
});
first("copa test pool equals SuperGLUE COPA val (premise, question, alternatives, label) item by item", async () => {
  const dir = await resolveDataDir();
  const lines = (await readTextFile(`${dir}/superglue/COPA/val.jsonl`)).trim().split("\n").map((l) => JSON.parse(l) as Record<string, string | number>);
  const test = get("copa").test;
  assert.is(lines.length, test.length);
  lines.forEach((l, i) => {
    const r = test[i]!;
    assert.equal([r.fields.premise_raw, r.fields.question, r.fields.choice1_raw, r.fields.choice2_raw, r.label], [l.premise, l.question, l.choice1, l.choice2, l.label], `item ${i}`);
  });
});
first("wic train starts with 'carry' (different senses) and dev with 'board'", () => {
  const r = get("wic").train[0]!;
  assert.equal([r.fields.word, r.fields.sentence1, r.fields.sentence2, r.label], ["carry", "You must carry your camping gear .", "Sound carries well over water .", 0]);
  assert.is(get("wic").test[0]!.fields.word, "board");
});
first("agnews row 0 (Business) is found in a pool with its text cleaned", () => {
  const p = get("agnews");
  const r = [...p.train, ...p.test].find((x) => x.id === "test:0")!;
  assert.is(r.label, 2);
  assert.is(r.fields.title, "Fears for T N pension after talks");
  assert.is(r.fields.description, "Unions representing workers at Turner Newall say they are 'disappointed' after talks with stricken parent firm Federal Mogul.");
  for (const x of [...p.train, ...p.test]) assert.not.match(String(x.fields.description), /#39;|quot;|&lt;|\\/, `${x.id} still has escape debris`);
});
first.run();

const bad = suite("task loaders: bad and missing files");
function fakeFiles(files: Record<string, string>) {
  return (path: string): Promise<string> => {
    const v = files[path];
    return v === undefined ? readTextFile(path) : Promise.resolve(v);
  };
}
function expectBad(e: unknown, patterns: readonly RegExp[]): void {
  assert.instance(e, BadRecordsError);
  for (const p of patterns) assert.match((e as Error).message, p);
}
bad("a malformed sst2 line is reported with file, line and the expected format, and not dropped", async () => {
  const read = fakeFiles({ "/v/sst2/stsa.binary.train": "1 fine\n0 also fine\n2 bad label\n", "/v/sst2/stsa.binary.dev": "1 x\n" });
  try {
    await loadPools("sst2", { dataDir: "/v", read });
    assert.unreachable("should have thrown");
  } catch (e) {
    assert.instance(e, TaskDataError);
    expectBad(e, [/task sst2: 1 record cannot be used/, /--skip-bad/, /\/v\/sst2\/stsa\.binary\.train line 3: expected a line matching .*, got "2 bad label"/]);
    assert.is((e as BadRecordsError).bad.length, 1);
  }
  const skipped = await loadTask("sst2", { dataDir: "/v", read, seed: 0, skipBad: true });
  assert.is(skipped.train.length + skipped.dev.length, 2);
  assert.is(skipped.skipped.length, 1);
  assert.match(skipped.skipped[0]!, /line 3/);
});
bad("a missing file is a TaskDataError naming the path", async () => {
  try {
    await loadPools("trec", { dataDir: "/nonexistent-mazo-data" });
    assert.unreachable("should have thrown");
  } catch (e) {
    assert.instance(e, TaskDataError);
    assert.match((e as Error).message, "/nonexistent-mazo-data/trec/train.txt");
    assert.match((e as Error).message, "cannot read");
  }
});
bad("invalid JSON, a wrong label value and a non-text field in jsonl name the line and field", async () => {
  const ok = '{"premise": "p", "hypothesis": "h", "label": "entailment"}';
  const cases = [
    [`${ok}\n{oops\n`, /train\.full\.jsonl line 2: expected a JSON object, got invalid JSON/],
    [`${ok}\n${ok.replace('"entailment"', '"maybe"')}\n`, /train\.full\.jsonl line 2: field "label": value "maybe" is not one of the verbalizer keys "entailment", "not_entailment"/],
    [`${ok}\n{"premise": [3], "hypothesis": "h", "label": "entailment"}\n`, /line 2: field "premise": template uses \{premise\} but the record holds \[3\], not text/],
    [`${ok}\n{"hypothesis": "h", "label": "entailment"}\n`, /line 2: field "premise": template uses \{premise\} but the record has no such field \(it has hypothesis, label\)/],
  ] as const;
  for (const [body, pattern] of cases) {
    try {
      await loadPools("rte", { dataDir: "/v", read: fakeFiles({ "/v/superglue/RTE/train.full.jsonl": body, "/v/superglue/RTE/val.jsonl": ok }) });
      assert.unreachable("should have thrown");
    } catch (e) {
      expectBad(e, [pattern]);
    }
  }
});
bad("wic data and gold files of different lengths are rejected", async () => {
  const read = fakeFiles({ "/v/wic/train/train.data.txt": "w\tN\t0-0\ta\tb\nw\tN\t0-0\ta\tb\n", "/v/wic/train/train.gold.txt": "T\n" });
  try {
    await loadPools("wic", { dataDir: "/v", read });
    assert.unreachable("should have thrown");
  } catch (e) {
    assert.instance(e, TaskDataError);
    assert.match((e as Error).message, /train\.gold\.txt: expected 2 lines \(one per record of .*train\.data\.txt\), found 1/);
  }
});
bad("agnews rows with a wrong cell count or a class outside 1-4 name their lines; every one is counted", async () => {
  const read = fakeFiles({ "/v/agnews/test.csv": 'Class Index,Title,Description\n1,"a, b",c\n5,t,d\n2,x\n' });
  try {
    await loadPools("agnews", { dataDir: "/v", read });
    assert.unreachable("should have thrown");
  } catch (e) {
    expectBad(e, [/2 records cannot be used/, /test\.csv line 4: expected 3 cells \(Class Index, Title, Description\), got 2/, /test\.csv line 3: field "Class Index": value "5" is not one of the verbalizer keys "1", "2", "3", "4"/]);
  }
});
bad("a copa item without a valid answer attribute names its line and field", async () => {
  const read = fakeFiles({ "/v/copa/copa-dev.xml": '<copa-corpus>\n<item id="1" asks-for="cause" most-plausible-alternative="3">\n<p>x.</p><a1>y</a1><a2>z</a2></item>\n</copa-corpus>' });
  try {
    await loadPools("copa", { dataDir: "/v", read });
    assert.unreachable("should have thrown");
  } catch (e) {
    expectBad(e, [/copa-dev\.xml line 2: field "most-plausible-alternative": value "3" is not one of the candidates keys "1", "2"/]);
  }
});
bad.run();

const dirs = suite("data directory resolution");
dirs("MAZO_DATA overrides the default and an explicit directory overrides MAZO_DATA", async () => {
  const saved = process.env.MAZO_DATA;
  try {
    process.env.MAZO_DATA = "/from/env";
    assert.is(await resolveDataDir(), "/from/env");
    assert.is(await resolveDataDir("/explicit"), "/explicit");
  } finally {
    if (saved === undefined) delete process.env.MAZO_DATA;
    else process.env.MAZO_DATA = saved;
  }
});
dirs("without MAZO_DATA the default is <repo>/../shared/data and holds every task's folder", async () => {
  const saved = process.env.MAZO_DATA;
  try {
    delete process.env.MAZO_DATA;
    const dir = await resolveDataDir();
    assert.match(dir, /\/shared\/data$/);
    await readTextFile(`${dir}/sst2/SOURCE.txt`);
  } finally {
    if (saved !== undefined) process.env.MAZO_DATA = saved;
  }
});
dirs.run();
