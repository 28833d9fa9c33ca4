/** Templates and verbalizers: MeZO's strings for a known record of each task, and overrides. */
import { suite } from "uvu";
import * as assert from "uvu/assert";
import { loadPools, loadTask, loadTasks, resolveTemplate } from "../../src/tasks/load.ts";
import type { RawRecord } from "../../src/tasks/record.ts";
import { builtinTask } from "../../src/tasks/registry.ts";
import { renderRecord } from "../../src/tasks/render.ts";
import { labelNames, parseTaskSpec } from "../../src/tasks/task_file.ts";
import { fillPattern, parseTemplate } from "../../src/tasks/template.ts";
import { lowercaseFirstWord } from "../../src/tasks/transforms.ts";

async function render(task: string, pick: (train: readonly RawRecord[], test: readonly RawRecord[]) => RawRecord) {
  const p = await loadPools(task);
  return renderRecord(builtinTask(task), pick(p.train, p.test));
}

const known = suite("default templates on a known record");
known("sst2: '{sentence} It was' -> ' terrible' / ' great'", async () => {
  const e = await render("sst2", (tr) => tr[0]!);
  assert.is(e.prompt, "a stirring , funny and finally transporting re-imagining of beauty and the beast and 1930s horror films It was");
  assert.equal(e.candidates, [" terrible", " great"]);
  assert.is(e.label, 1);
  assert.is(e.prompt + e.candidates[e.label], "a stirring , funny and finally transporting re-imagining of beauty and the beast and 1930s horror films It was great");
});
known("trec: question then 'Answer type:' with six class words", async () => {
  const e = await render("trec", (tr) => tr[0]!);
  assert.is(e.prompt, "How did serfdom develop in and then leave Russia ?\nAnswer type:");
  assert.equal(e.candidates, [" abbreviation", " description", " entity", " person", " location", " number"]);
  assert.is(e.label, 1);
});
known("boolq: MeZO's BoolQTemplateV3, '{passage} {question}\\n' then 'No' / 'Yes' (capitalised question with '?')", async () => {
  assert.is(builtinTask("boolq").template, "{passage} {question}\n");
  const e = await render("boolq", (tr) => tr[0]!);
  assert.ok(e.prompt.startsWith("Ghost in the Shell -- Animation studio Production I.G"));
  assert.ok(e.prompt.endsWith(" Is ghost in the shell based on the anime?\n"));
  assert.equal(e.candidates, ["No", "Yes"]);
  assert.is(e.label, 0);
});
known("rte: MeZO's PromptSource template ending in a newline, 'Yes' / 'No'", async () => {
  const e = await render("rte", (tr) => tr[0]!);
  assert.is(e.prompt, 'No Weapons of Mass Destruction Found in Iraq Yet.\nDoes this mean that "Weapons of Mass Destruction Found in Iraq." is true? Yes or No?\n');
  assert.equal(e.candidates, ["Yes", "No"]);
  assert.is(e.label, 1);
});
known("cb: 'Suppose ... Can we infer that ...? Yes, No, or Maybe?' -> three words", async () => {
  const e = await render("cb", (tr) => tr[0]!);
  assert.is(e.prompt, 'Suppose It was a complex language. Not written down but handed down. One might say it was peeled down. Can we infer that "the language was peeled down"? Yes, No, or Maybe?\n');
  assert.equal(e.candidates, ["Yes", "No", "Maybe"]);
  assert.is(e.label, 0);
});
known("copa: premise without '.', ' so', lower-cased alternatives as candidates", async () => {
  const e = await render("copa", (_, te) => te[0]!);
  assert.is(e.prompt, "The man turned on the faucet so");
  assert.equal(e.candidates, [" the toilet filled with water.", " water flowed from the spout."]);
  assert.is(e.prompt + e.candidates[1], "The man turned on the faucet so water flowed from the spout.");
  const c = await render("copa", (tr) => tr[0]!);
  assert.is(c.prompt, "My body cast a shadow over the grass because");
  assert.is(builtinTask("copa").objective, "lm");
  assert.is(c.objective, "lm");
});
known("copa keeps a leading 'I' capitalised and lower-cases other first words only", () => {
  assert.is(lowercaseFirstWord("I knew it was Tom."), "I knew it was Tom.");
  assert.is(lowercaseFirstWord("The sun was rising."), "the sun was rising.");
  assert.is(lowercaseFirstWord("It's Bob."), "it's Bob.");
});
known("wic: the word question, both sentences, 'No' / 'Yes'", async () => {
  const e = await render("wic", (tr) => tr[0]!);
  assert.is(e.prompt, 'Does the word "carry" have the same meaning in these two sentences? Yes, No?\nYou must carry your camping gear .\nSound carries well over water .\n');
  assert.equal(e.candidates, ["No", "Yes"]);
  assert.is(e.label, 0);
});
known("agnews: title, article, 'Topic:' -> four topic words", async () => {
  const e = await render("agnews", (tr, te) => [...tr, ...te].find((r) => r.id === "test:0")!);
  assert.is(e.prompt, "Title: Fears for T N pension after talks\nArticle: Unions representing workers at Turner Newall say they are 'disappointed' after talks with stricken parent firm Federal Mogul.\nTopic:");
  assert.equal(e.candidates, [" World", " Sports", " Business", " Technology"]);
  assert.is(e.label, 2);
});
known("every task's classification objective except copa, and one label name per candidate", () => {
  for (const t of ["sst2", "trec", "boolq", "rte", "cb", "copa", "wic", "agnews"]) {
    const d = builtinTask(t);
    assert.is((d.verbalizer ?? d.candidates)!.length, labelNames(d).length, t);
    assert.is(d.objective, t === "copa" ? "lm" : "classification", t);
    assert.is(d.kind, t === "copa" ? "multiple-choice" : "classification", t);
  }
});
known.run();

const override = suite("template overrides");
override("a JSON override replaces the sst2 template and verbalizer", async () => {
  const tpl = JSON.parse('{"template": "Review: {sentence}\\nSentiment:", "verbalizer": [" negative", " positive"]}');
  const s = await loadTask("sst2", { seed: 3, sizes: { train: 2, dev: 0, test: 0 }, template: tpl });
  for (const e of s.train) {
    assert.match(e.prompt, /^Review: .*\nSentiment:$/s);
    assert.equal(e.candidates, [" negative", " positive"]);
  }
  const plain = await loadTask("sst2", { seed: 3, sizes: { train: 2, dev: 0, test: 0 } });
  assert.equal(s.train.map((e) => e.id), plain.train.map((e) => e.id));
});
override("loadTasks applies overrides per task and rejects overrides for tasks not loaded", async () => {
  const tpl = { template: "{premise} {connective}", verbalizer: [" ({choice1})", " ({choice2})"] };
  const [sst, copa] = await loadTasks(["sst2", "copa"], { seed: 1, sizes: { train: 1, dev: 0, test: 0 }, templates: { copa: tpl } });
  assert.equal(sst!.train[0]!.candidates, [" terrible", " great"]);
  assert.match(copa!.train[0]!.candidates[0]!, /^ \(.*\)$/);
  try {
    await loadTasks(["sst2"], { seed: 1, templates: { trec: tpl } });
    assert.unreachable("should have thrown");
  } catch (e) {
    assert.instance(e, RangeError);
    assert.match((e as Error).message, /not among the loaded tasks/);
  }
});
override("malformed overrides throw TypeError or RangeError naming the problem", () => {
  assert.throws(() => resolveTemplate("sst2", "x"), (e: unknown) => e instanceof TypeError && /expected an object/.test((e as Error).message));
  assert.throws(() => resolveTemplate("sst2", { template: 1, verbalizer: [" a", " b"] }), (e: unknown) => e instanceof TypeError && /"template" must be a string/.test((e as Error).message));
  assert.throws(() => resolveTemplate("sst2", { template: "{sentence}", verbalizer: [" a", ""] }), (e: unknown) => e instanceof TypeError && /non-empty strings/.test((e as Error).message));
  assert.throws(() => resolveTemplate("sst2", { template: "{sentence}", verbalizer: [" a"] }), (e: unknown) => e instanceof RangeError && /1 entries, the task has 2 labels/.test((e as Error).message));
  assert.throws(() => parseTemplate({ template: "", verbalizer: ["a"], extra: 1 }, "t", 1), (e: unknown) => e instanceof TypeError && /unknown key\(s\) extra/.test((e as Error).message));
});
override("an unknown placeholder names itself and lists the task's fields", () => {
  assert.throws(() => fillPattern("{sentense} It was", { sentence: "x" }, "sst2 template"), (e: unknown) => e instanceof RangeError && /unknown placeholder \{sentense\}; this task's fields are \{sentence\}/.test((e as Error).message));
});
override("doubled braces are literal and prompt spaces (not newlines) are stripped", () => {
  assert.is(fillPattern("{{x}} {a}}}", { a: "1" }, "t"), "{x} 1}");
  const spec = parseTaskSpec({ name: "t", kind: "classification", data: { train: "a.csv", test: "b.csv" }, template: "  {a} \n ", label_field: "l", verbalizer: { "0": "y", "1": "n" } }, "t.json");
  const e = renderRecord(spec, { id: "0", where: "", fields: { a: "A", l: "0" }, label: 0 });
  assert.is(e.prompt, "A \n");
});
override.run();
