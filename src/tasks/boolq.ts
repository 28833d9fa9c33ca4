/**
 * BoolQ from `superglue/BoolQ/`. The full SuperGLUE train split is not in the data snapshot, so the
 * labelled validation split (val.jsonl, 3270) is carved with a fixed seed ({@link carvePools}) into a
 * test pool of 1000 (MeZO's test size) and 2270 records that join the train pool together with the 64
 * FewGLUE records (train.jsonl and dev32.jsonl, drawn from SuperGLUE train): train pool 2334.
 * Template (MeZO's BoolQTemplate): "{passage} {question}" -> " No" / " Yes", where {question} is the
 * question with its first letter capitalised and "?" appended when missing ({question_raw} is the original).
 */
import { joinPath } from "./data_dir.ts";
import type { ReadText } from "./read_text.ts";
import type { RawRecord } from "./record.ts";
import { carvePools } from "./split.ts";
import type { TaskDefinition } from "./task.ts";
import { jsonChoice, jsonString, parseJsonLines } from "./text_formats.ts";

/** The size of the test pool carved out of BoolQ val. */
export const BOOLQ_TEST_POOL = 1000;

/** MeZO's question normalisation: capitalise the first letter, end with "?". */
export function boolqQuestion(q: string): string {
  const withMark = q.endsWith("?") ? q : `${q}?`;
  return withMark.charAt(0).toUpperCase() + withMark.slice(1);
}

async function readBoolq(dir: string, read: ReadText, name: string): Promise<RawRecord[]> {
  const file = joinPath(dir, "superglue", "BoolQ", name);
  const split = name.replace(/\.jsonl$/, "");
  return parseJsonLines(await read(file), file).map((j, i) => {
    const question = jsonString(j, "question", file);
    return {
      id: `${split}:${i}`,
      fields: { passage: jsonString(j, "passage", file), question: boolqQuestion(question), question_raw: question },
      label: jsonChoice(j, "label", [false, true], file),
    };
  });
}

/** BoolQ. */
export const boolq: TaskDefinition = {
  name: "boolq",
  labels: ["false", "true"],
  fields: ["passage", "question", "question_raw"],
  template: { template: "{passage} {question}", verbalizer: [" No", " Yes"] },
  objective: "classification",
  source: `train pool superglue/BoolQ/train.jsonl + dev32.jsonl + val.jsonl minus the test pool; test pool ${BOOLQ_TEST_POOL} of val.jsonl (fixed seed)`,
  async load(dir, read) {
    const val = carvePools("boolq", await readBoolq(dir, read, "val.jsonl"), BOOLQ_TEST_POOL);
    const few = [...(await readBoolq(dir, read, "train.jsonl")), ...(await readBoolq(dir, read, "dev32.jsonl"))];
    return { train: [...few, ...val.train], test: val.test };
  },
};
