/**
 * SST-2 (binary sentiment) from `sst2/stsa.binary.{train,dev}`: lines "<0|1> <sentence>" (lower-cased,
 * tokenised, as GLUE's SST-2). Train pool = train (6920); test pool = dev (872), which is the split
 * MeZO evaluates on (GLUE SST-2 validation). stsa.binary.test is not used.
 * Template (MeZO's SST2Template): "{sentence} It was" -> " terrible" / " great".
 */
import { excerpt, TaskDataError } from "./errors.ts";
import { joinPath } from "./data_dir.ts";
import type { ReadText } from "./read_text.ts";
import type { RawRecord } from "./record.ts";
import type { TaskDefinition } from "./task.ts";
import { textLines } from "./text_formats.ts";

async function readSplit(dir: string, read: ReadText, split: string): Promise<RawRecord[]> {
  const file = joinPath(dir, "sst2", `stsa.binary.${split}`);
  return textLines(await read(file)).map(({ line, text }, i) => {
    const m = /^([01]) (.*\S.*)$/.exec(text);
    if (m === null) throw new TaskDataError(file, line, `expected "<0|1> <sentence>", got ${excerpt(text)}`);
    return { id: `${split}:${i}`, fields: { sentence: m[2]!.trim() }, label: Number(m[1]) };
  });
}

/** SST-2. */
export const sst2: TaskDefinition = {
  name: "sst2",
  labels: ["negative", "positive"],
  fields: ["sentence"],
  template: { template: "{sentence} It was", verbalizer: [" terrible", " great"] },
  objective: "classification",
  source: "train pool sst2/stsa.binary.train; test pool sst2/stsa.binary.dev (= GLUE SST-2 validation)",
  async load(dir, read) {
    return { train: await readSplit(dir, read, "train"), test: await readSplit(dir, read, "dev") };
  },
};
