/**
 * WiC from the official package in `wic/`: `<split>/<split>.data.txt` (tab-separated: word, PoS,
 * "i1-i2", sentence1, sentence2; sentences are space-tokenised) with `<split>/<split>.gold.txt` (T/F).
 * Train pool = train (5428, the full train split; superglue/WiC holds only 32 of it); test pool = dev
 * (638 = SuperGLUE WiC validation, which MeZO evaluates on). The official test split is not used.
 * Template (MeZO's WICTemplate, from PromptSource):
 *   "Does the word \"{word}\" have the same meaning in these two sentences? Yes, No?\n{sentence1}\n{sentence2}\n" -> "No" / "Yes"
 */
import { excerpt, TaskDataError } from "./errors.ts";
import { joinPath } from "./data_dir.ts";
import type { ReadText } from "./read_text.ts";
import type { RawRecord } from "./record.ts";
import type { TaskDefinition } from "./task.ts";
import { textLines } from "./text_formats.ts";

async function readSplit(dir: string, read: ReadText, split: string): Promise<RawRecord[]> {
  const dataFile = joinPath(dir, "wic", split, `${split}.data.txt`);
  const goldFile = joinPath(dir, "wic", split, `${split}.gold.txt`);
  const data = textLines(await read(dataFile));
  const gold = textLines(await read(goldFile));
  if (gold.length !== data.length) throw new TaskDataError(goldFile, 0, `expected ${data.length} labels (one per line of ${dataFile}), found ${gold.length}`);
  return data.map(({ line, text }, i) => {
    const cols = text.split("\t");
    if (cols.length !== 5 || !/^\d+-\d+$/.test(cols[2]!)) {
      throw new TaskDataError(dataFile, line, `expected 5 tab-separated columns "word, PoS, i1-i2, sentence1, sentence2", got ${cols.length}: ${excerpt(text)}`);
    }
    const g = gold[i]!;
    const t = g.text.trim();
    if (t !== "T" && t !== "F") throw new TaskDataError(goldFile, g.line, `expected "T" or "F", got ${excerpt(g.text)}`);
    return {
      id: `${split}:${i}`,
      fields: { word: cols[0]!, pos: cols[1]!, sentence1: cols[3]!.trim(), sentence2: cols[4]!.trim() },
      label: t === "T" ? 1 : 0,
    };
  });
}

/** WiC. */
export const wic: TaskDefinition = {
  name: "wic",
  labels: ["different", "same"],
  fields: ["word", "pos", "sentence1", "sentence2"],
  template: {
    template: 'Does the word "{word}" have the same meaning in these two sentences? Yes, No?\n{sentence1}\n{sentence2}\n',
    verbalizer: ["No", "Yes"],
  },
  objective: "classification",
  source: "train pool wic/train (full WiC train); test pool wic/dev (= SuperGLUE WiC val)",
  async load(dir, read) {
    return { train: await readSplit(dir, read, "train"), test: await readSplit(dir, read, "dev") };
  },
};
