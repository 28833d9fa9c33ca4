/**
 * AG News from `agnews/test.csv` (header "Class Index,Title,Description"; 7600 rows, classes 1-4 =
 * World, Sports, Business, Sci/Tech). Only the test split ships, so it is carved with a fixed seed
 * ({@link carvePools}) into a test pool of 1900 (a quarter) and a train pool of 5700; dev and train are
 * sampled from the latter as for every task.
 * Text clean-up: the corpus' escape debris is undone ("\" line breaks to spaces; "#39;", "quot;", "#36;",
 * "&lt;", "&gt;", "&amp;" and similar to their characters) and runs of spaces collapsed.
 * MeZO has no AG News template; ours (after Zhao et al. 2021, whose data file this is):
 *   "Title: {title}\nArticle: {description}\nTopic:" -> " World" / " Sports" / " Business" / " Technology"
 */
import { excerpt, TaskDataError } from "./errors.ts";
import { joinPath } from "./data_dir.ts";
import type { RawRecord } from "./record.ts";
import { carvePools } from "./split.ts";
import type { TaskDefinition } from "./task.ts";
import { parseCsv } from "./text_formats.ts";

/** The size of the test pool carved out of the 7600 rows. */
export const AGNEWS_TEST_POOL = 1900;

const DEBRIS: readonly [RegExp, string][] = [
  [/\\+/g, " "],
  [/ &?#39;s\b/g, "'s"],
  [/&?#39;/g, "'"],
  [/&?#36;/g, "$"],
  [/&?#151;/g, "--"],
  [/&?#14[5-6];/g, "'"],
  [/&?#14[7-8];/g, '"'],
  [/&?\bquot;/g, '"'],
  [/&lt;/g, "<"],
  [/&gt;/g, ">"],
  [/&?\bamp;/g, "&"],
  [/&?\bhellip;/g, "..."],
  [/\s+/g, " "],
];

/** Undoes AG News' escape debris and collapses whitespace. */
export function cleanAgnews(text: string): string {
  let s = text;
  for (const [re, to] of DEBRIS) s = s.replace(re, to);
  return s.trim();
}

/** AG News. */
export const agnews: TaskDefinition = {
  name: "agnews",
  labels: ["World", "Sports", "Business", "Sci/Tech"],
  fields: ["title", "description"],
  template: { template: "Title: {title}\nArticle: {description}\nTopic:", verbalizer: [" World", " Sports", " Business", " Technology"] },
  objective: "classification",
  source: `agnews/test.csv carved with a fixed seed: test pool ${AGNEWS_TEST_POOL}, train pool the other 5700`,
  async load(dir, read) {
    const file = joinPath(dir, "agnews", "test.csv");
    const rows = parseCsv(await read(file), file);
    const head = rows[0];
    if (head === undefined || head.cells.join(",") !== "Class Index,Title,Description") {
      throw new TaskDataError(file, 1, `expected the header "Class Index,Title,Description", got ${excerpt(head?.cells.join(",") ?? "an empty file")}`);
    }
    const records: RawRecord[] = rows.slice(1).map((r, i) => {
      const [cls, title, desc] = r.cells;
      if (r.cells.length !== 3 || !/^[1-4]$/.test(cls ?? "")) {
        throw new TaskDataError(file, r.line, `expected 3 cells "<1-4>,<title>,<description>", got ${r.cells.length}: ${excerpt(r.cells.join(","))}`);
      }
      return { id: `test:${i}`, fields: { title: cleanAgnews(title!), description: cleanAgnews(desc!) }, label: Number(cls) - 1 };
    });
    return carvePools("agnews", records, AGNEWS_TEST_POOL);
  },
};
