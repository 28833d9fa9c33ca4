/**
 * RTE and CB from the SuperGLUE jsonl files: `superglue/<TASK>/train.full.jsonl` (the complete
 * SuperGLUE train split: RTE 2490, CB 250) is the train pool; `val.jsonl` (RTE 277, CB 56), the official
 * validation split, is the test pool (SuperGLUE's test split has no labels; MeZO evaluates on validation).
 * Templates are MeZO's (from PromptSource):
 *   RTE: "{premise}\nDoes this mean that \"{hypothesis}\" is true? Yes or No?\n" -> "Yes" / "No"
 *   CB:  "Suppose {premise} Can we infer that \"{hypothesis}\"? Yes, No, or Maybe?\n" -> "Yes" / "No" / "Maybe"
 * CB uses dev 100 by default (MeZO: it has fewer than 1000 training examples).
 */
import { joinPath } from "./data_dir.ts";
import type { ReadText } from "./read_text.ts";
import type { RawRecord } from "./record.ts";
import type { TaskDefinition } from "./task.ts";
import { jsonChoice, jsonString, parseJsonLines } from "./text_formats.ts";

async function readNli(dir: string, read: ReadText, task: string, name: string, labels: readonly string[]): Promise<RawRecord[]> {
  const file = joinPath(dir, "superglue", task, name);
  const split = name.replace(/\.jsonl$/, "");
  return parseJsonLines(await read(file), file).map((j, i) => ({
    id: `${split}:${i}`,
    fields: { premise: jsonString(j, "premise", file), hypothesis: jsonString(j, "hypothesis", file) },
    label: jsonChoice(j, "label", labels, file),
  }));
}

const RTE_LABELS = ["entailment", "not_entailment"] as const;
const CB_LABELS = ["entailment", "contradiction", "neutral"] as const;

/** RTE. */
export const rte: TaskDefinition = {
  name: "rte",
  labels: RTE_LABELS,
  fields: ["premise", "hypothesis"],
  template: { template: '{premise}\nDoes this mean that "{hypothesis}" is true? Yes or No?\n', verbalizer: ["Yes", "No"] },
  objective: "classification",
  source: "train pool superglue/RTE/train.full.jsonl; test pool superglue/RTE/val.jsonl",
  async load(dir, read) {
    return { train: await readNli(dir, read, "RTE", "train.full.jsonl", RTE_LABELS), test: await readNli(dir, read, "RTE", "val.jsonl", RTE_LABELS) };
  },
};

/** CB (CommitmentBank). */
export const cb: TaskDefinition = {
  name: "cb",
  labels: CB_LABELS,
  fields: ["premise", "hypothesis"],
  template: { template: 'Suppose {premise} Can we infer that "{hypothesis}"? Yes, No, or Maybe?\n', verbalizer: ["Yes", "No", "Maybe"] },
  objective: "classification",
  defaultSizes: { dev: 100 },
  source: "train pool superglue/CB/train.full.jsonl; test pool superglue/CB/val.jsonl",
  async load(dir, read) {
    return { train: await readNli(dir, read, "CB", "train.full.jsonl", CB_LABELS), test: await readNli(dir, read, "CB", "val.jsonl", CB_LABELS) };
  },
};
