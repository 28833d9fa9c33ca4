// Writes the example user tasks' data files (small, hand-written vocabulary, deterministic):
//   tickets.csv   support tickets by category (classification, CSV with quoted fields)
//   endings.jsonl story endings, pick the sensible one (multiple-choice, candidates in a list field)
//   answers.parquet short answers about a one-line story (generation, Parquet via hyparquet-writer)
// Run: node examples/tasks/make_data.mjs   (writes next to this script; prints what it wrote)
import { writeFileSync } from "node:fs";
import { parquetWriteBuffer } from "hyparquet-writer";

const here = new URL(".", import.meta.url).pathname;

// --- tickets.csv ---
const TICKETS = {
  billing: ["I was charged twice for my order", "my invoice shows the wrong amount", "please refund the extra payment", "the card was billed, but no receipt came", "why did the price go up on my bill"],
  login: ["I cannot sign in to my account", "the password reset email never arrives", "my account is locked after three tries", "the login page says my user name is wrong", "two-factor code is not accepted"],
  shipping: ["my parcel has not arrived yet", "the tracking number does not work", "the box came to the wrong address", "delivery is a week late", "the courier left the package outside, in the rain"],
  bug: ["the app crashes when I open settings", "the page freezes after I press save", "pictures do not load on the phone", "the search button does nothing", "an error, \"code 500\", shows up on checkout"],
};
const OPENERS = ["Hello,", "Hi team,", "Urgent:", "Good morning,"];
const rows = [["subject", "body", "category"]];
let k = 0;
for (const [cat, lines] of Object.entries(TICKETS)) {
  for (const line of lines) {
    for (const op of OPENERS.slice(0, 3)) {
      const subject = line.split(" ").slice(0, 4).join(" ");
      rows.push([subject, `${OPENERS[(k++) % OPENERS.length]} ${line}. ${op === "Urgent:" ? "Please help soon." : "Thanks."}`, cat]);
    }
  }
}
const csvCell = (s) => (/[",\n]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s);
writeFileSync(`${here}tickets.csv`, rows.map((r) => r.map(csvCell).join(",")).join("\n") + "\n");

// --- endings.jsonl ---
const NAMES = ["Lily", "Tom", "Mia", "Ben", "Sue", "Max"];
const STORIES = [
  ["was hungry, so", "ate a big red apple.", "went to sleep on the roof."],
  ["was cold, so", "put on a warm coat.", "jumped into the cold pond."],
  ["lost a toy, so", "looked for it under the bed.", "ate the toy for lunch."],
  ["saw a sad dog, so", "gave the dog a hug.", "ran away from the sun."],
  ["was tired, so", "went to bed early.", "climbed the tallest tree."],
  ["wanted to help mom, so", "cleaned the kitchen.", "broke all the cups."],
];
const endings = [];
NAMES.forEach((n, i) => STORIES.forEach(([ctx, good, bad], j) => {
  const flip = (i + j) % 2 === 1;
  endings.push({ id: `${n.toLowerCase()}-${j}`, context: `${n} ${ctx}`, choices: flip ? [bad, good] : [good, bad], label: flip ? 1 : 0 });
}));
writeFileSync(`${here}endings.jsonl`, endings.map((e) => JSON.stringify(e)).join("\n") + "\n");

// --- answers.parquet ---
const COLORS = ["red", "blue", "green", "yellow", "pink"];
const THINGS = ["ball", "hat", "kite", "car", "cup"];
const story = [], question = [], answer = [];
NAMES.forEach((n, i) => THINGS.forEach((t, j) => {
  const c = COLORS[(i + j) % COLORS.length];
  story.push(`${n} has a ${c} ${t}.`);
  question.push(`What color is the ${t}?`);
  answer.push(c);
}));
const buf = parquetWriteBuffer({ columnData: [{ name: "story", data: story, type: "STRING" }, { name: "question", data: question, type: "STRING" }, { name: "answer", data: answer, type: "STRING" }] });
writeFileSync(`${here}answers.parquet`, new Uint8Array(buf));
console.log(`wrote tickets.csv (${rows.length - 1} rows), endings.jsonl (${endings.length}), answers.parquet (${story.length} rows, ${buf.byteLength} bytes) to ${here}`);
