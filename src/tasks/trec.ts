/**
 * TREC question classification, 6 coarse classes, from `trec/{train,test}.txt`: lines
 * "<COARSE>:<fine> <question>". Train pool = train (5452), test pool = test (500).
 * MeZO's large-model code has no TREC template; ours asks for the answer type:
 * "{question}\nAnswer type:" -> " abbreviation" / " description" / " entity" / " person" / " location" / " number".
 */
import { excerpt, TaskDataError } from "./errors.ts";
import { joinPath } from "./data_dir.ts";
import type { ReadText } from "./read_text.ts";
import type { RawRecord } from "./record.ts";
import type { TaskDefinition } from "./task.ts";
import { textLines } from "./text_formats.ts";

/** The coarse classes in label order. */
export const TREC_CLASSES = ["ABBR", "DESC", "ENTY", "HUM", "LOC", "NUM"] as const;

async function readSplit(dir: string, read: ReadText, split: string): Promise<RawRecord[]> {
  const file = joinPath(dir, "trec", `${split}.txt`);
  return textLines(await read(file)).map(({ line, text }, i) => {
    const m = /^([A-Z]+):(\S+) (.*\S.*)$/.exec(text);
    const label = m === null ? -1 : (TREC_CLASSES as readonly string[]).indexOf(m[1]!);
    if (m === null || label < 0) throw new TaskDataError(file, line, `expected "<${TREC_CLASSES.join("|")}>:<fine> <question>", got ${excerpt(text)}`);
    return { id: `${split}:${i}`, fields: { question: m[3]!.trim(), fine: m[2]! }, label };
  });
}

/** TREC (coarse). */
export const trec: TaskDefinition = {
  name: "trec",
  labels: TREC_CLASSES,
  fields: ["question", "fine"],
  template: {
    template: "{question}\nAnswer type:",
    verbalizer: [" abbreviation", " description", " entity", " person", " location", " number"],
  },
  objective: "classification",
  source: "train pool trec/train.txt; test pool trec/test.txt",
  async load(dir, read) {
    return { train: await readSplit(dir, read, "train"), test: await readSplit(dir, read, "test") };
  },
};
