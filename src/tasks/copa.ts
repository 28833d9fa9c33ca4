/**
 * COPA from the original XML release, `copa/copa-dev.xml` (500 labelled items): items 1-400 are
 * SuperGLUE's COPA train split (the train pool; superglue/COPA holds only 32 of them) and items 401-500
 * SuperGLUE's validation split (the test pool, as MeZO evaluates on validation). copa-test.xml is not used.
 * Template (MeZO's CopaTemplate): the premise without its final "." then " so " (effect) or " because "
 * (cause), and each alternative with its first word lower-cased unless it is "I":
 *   "{premise} {connective}" -> " {choice1}" / " {choice2}"
 * Candidates are different continuations, so the task trains with the LM loss (MeZO's
 * --train_as_classification False for COPA) and uses dev 100 by default.
 */
import { excerpt, TaskDataError } from "./errors.ts";
import { joinPath } from "./data_dir.ts";
import type { RawRecord } from "./record.ts";
import type { TaskDefinition } from "./task.ts";

/** Items 1..COPA_TRAIN_ITEMS of copa-dev.xml form the train pool, the rest the test pool. */
export const COPA_TRAIN_ITEMS = 400;

/** MeZO's "correct" capitalisation of an alternative: first word lower-cased unless it is "I". */
export function copaChoice(text: string): string {
  const words = text.trim().split(" ");
  if (words[0] !== "I") words[0] = words[0]!.toLowerCase();
  return words.join(" ");
}

const ENTITIES: Readonly<Record<string, string>> = { "&amp;": "&", "&lt;": "<", "&gt;": ">", "&quot;": '"', "&apos;": "'" };

function unescapeXml(s: string): string {
  return s.replace(/&(amp|lt|gt|quot|apos);/g, (m) => ENTITIES[m] ?? m);
}

/** Parses the <item> elements of a COPA XML file into records (label 0 or 1 = most plausible alternative - 1). */
export function parseCopaXml(text: string, file: string): RawRecord[] {
  const out: RawRecord[] = [];
  const itemRe = /<item\b([^>]*)>([\s\S]*?)<\/item>/g;
  for (let m = itemRe.exec(text); m !== null; m = itemRe.exec(text)) {
    const line = text.slice(0, m.index).split("\n").length;
    const attrs: Record<string, string> = {};
    for (const a of m[1]!.matchAll(/([\w-]+)="([^"]*)"/g)) attrs[a[1]!] = a[2]!;
    const id = attrs["id"];
    const asks = attrs["asks-for"];
    const gold = attrs["most-plausible-alternative"];
    if (id === undefined || !/^\d+$/.test(id)) throw new TaskDataError(file, line, `expected <item id="<number>">, got ${excerpt(m[1]!)}`);
    if (asks !== "cause" && asks !== "effect") throw new TaskDataError(file, line, `expected asks-for="cause" or "effect" on item ${id}, got ${JSON.stringify(asks ?? null)}`);
    if (gold !== "1" && gold !== "2") throw new TaskDataError(file, line, `expected most-plausible-alternative="1" or "2" on item ${id}, got ${JSON.stringify(gold ?? null)}`);
    const part = (tag: string): string => {
      const pm = new RegExp(`<${tag}>([\\s\\S]*?)</${tag}>`).exec(m![2]!);
      if (pm === null) throw new TaskDataError(file, line, `expected a <${tag}> element in item ${id}`);
      return unescapeXml(pm[1]!.trim());
    };
    const premise = part("p");
    const a1 = part("a1");
    const a2 = part("a2");
    out.push({
      id: `copa:${id}`,
      fields: {
        premise: premise.replace(/\.$/, ""),
        connective: asks === "effect" ? "so" : "because",
        question: asks,
        choice1: copaChoice(a1),
        choice2: copaChoice(a2),
        premise_raw: premise,
        choice1_raw: a1,
        choice2_raw: a2,
      },
      label: Number(gold) - 1,
    });
  }
  return out;
}

/** COPA. */
export const copa: TaskDefinition = {
  name: "copa",
  labels: ["choice1", "choice2"],
  fields: ["premise", "connective", "question", "choice1", "choice2", "premise_raw", "choice1_raw", "choice2_raw"],
  template: { template: "{premise} {connective}", verbalizer: [" {choice1}", " {choice2}"] },
  objective: "lm",
  defaultSizes: { dev: 100 },
  source: `copa/copa-dev.xml items 1-${COPA_TRAIN_ITEMS} (= SuperGLUE train) as train pool, items ${COPA_TRAIN_ITEMS + 1}-500 (= SuperGLUE val) as test pool`,
  async load(dir, read) {
    const file = joinPath(dir, "copa", "copa-dev.xml");
    const items = parseCopaXml(await read(file), file);
    if (items.length !== 500) throw new TaskDataError(file, 0, `expected 500 <item> elements, found ${items.length}`);
    const num = (r: RawRecord) => Number(r.id.slice("copa:".length));
    return { train: items.filter((r) => num(r) <= COPA_TRAIN_ITEMS), test: items.filter((r) => num(r) > COPA_TRAIN_ITEMS) };
  },
};
