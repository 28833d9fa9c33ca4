// The README's browser-worker embed ("### In a browser worker"), run exactly as written: its fenced
// block is served as a module worker next to examples/embed/ (so its import of ../../dist/mazo.js is the
// bundle), a page posts it the README's message, and we check what fineTune sent back: evaluations
// before and after for each task, the step events, done, and the run files. examples/embed/worker.js
// must hold the same code, so neither can rot.
import { suite } from "uvu";
import * as assert from "uvu/assert";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import process from "node:process";
import type { Page } from "playwright-core";
import type { FineTuneEvent } from "../../src/train/events.ts";
import { repoRoot } from "./chromium.ts";
import { openServedPage } from "./session.ts";

const root = repoRoot();
const STEPS = 2;
const WORKER_PATH = "/examples/embed/readme_worker.js";
const verbose = process.env.MAZO_TEST_VERBOSE === "1";

/** The first ```js block after the heading `heading` in `markdown`. */
function fencedBlockAfter(markdown: string, heading: string): string {
  const at = markdown.split("\n").findIndex((l) => l.trim() === heading);
  if (at < 0) throw new Error(`README.md has no heading ${JSON.stringify(heading)}`);
  const rest = markdown.split("\n").slice(at + 1).join("\n");
  const m = /^```js\n([\s\S]*?)^```$/m.exec(rest);
  if (m === null) throw new Error(`README.md: no \`\`\`js block after ${JSON.stringify(heading)}`);
  return m[1]!;
}

const snippet = fencedBlockAfter(readFileSync(join(root, "README.md"), "utf8"), "### In a browser worker");

type Message = FineTuneEvent | { type: "error"; message: string } | { type: "files"; names: string[]; text: Record<string, string> };

const served = await openServedPage("embed", { [WORKER_PATH]: snippet });
if (served !== null) run(served.page, served.origin, served.errors, served.close);

function run(page: Page, origin: string, errors: string[], close: () => Promise<void>): void {
  const s = suite("README embed in a browser worker");
  s.after(close);

  s("examples/embed/worker.js holds the README's snippet", () => {
    assert.ok(snippet.split("\n").length >= 10, `snippet of ${snippet.split("\n").length} lines`);
    assert.ok(readFileSync(join(root, "examples/embed/worker.js"), "utf8").endsWith(snippet), "examples/embed/worker.js does not end with the README's snippet");
    assert.match(snippet, /from "\.\.\/\.\.\/dist\/mazo\.js"/);
  });

  s(`the README's worker runs fineTune for ${STEPS} steps: evaluations per task, steps, done, run files`, async () => {
    const messages = await page.evaluate(async ({ url, steps }) => {
      const worker = new Worker(url, { type: "module" });
      const out: unknown[] = [];
      try {
        await new Promise<void>((resolve, reject) => {
          worker.onerror = (e) => reject(new Error(`worker error: ${e.message}`));
          worker.onmessage = ({ data }) => {
            if (data.type !== "files") return void out.push(data);
            const files = data.files as Record<string, Uint8Array>;
            const text: Record<string, string> = {};
            for (const n of ["trajectory.jsonl", "eval.json"]) if (files[n] !== undefined) text[n] = new TextDecoder().decode(files[n]);
            out.push({ type: "files", names: Object.keys(files).sort(), text });
            resolve();
          };
          worker.postMessage({ model: "/data/stories260K/stories260K.bin", tokenizer: "/data/stories260K/tok512.bin", data: "/data", steps });
        });
      } finally {
        worker.terminate();
      }
      return out;
    }, { url: `${origin}${WORKER_PATH}`, steps: STEPS }) as Message[];
    const err = messages.find((m) => m.type === "error");
    assert.is(err, undefined, err?.type === "error" ? err.message : "");
    assert.equal(errors, []);

    const evals = messages.flatMap((m) => (m.type === "evaluation" ? [m] : []));
    assert.equal(evals.map((e) => e.phase), ["before", "after"]);
    for (const e of evals) {
      assert.equal(Object.keys(e.report.tasks), ["sst2", "copa"]);
      assert.ok(Number.isFinite(e.report.dev_loss) && e.report.average >= 0 && e.report.average <= 1, JSON.stringify(e.report));
    }
    const steps = messages.flatMap((m) => (m.type === "step" ? [m] : []));
    if (verbose) console.log(`  evaluations ${evals.map((e) => `${e.phase} ${e.seconds.toFixed(1)}s`).join(", ")}; ${steps.at(-1)?.stepsPerSec.toFixed(2)} steps/s`);
    if (verbose) console.log(`  dev loss ${evals[0]!.report.dev_loss.toFixed(4)} -> ${evals[1]!.report.dev_loss.toFixed(4)}; losses ${steps.map((e) => e.record.loss.toFixed(4)).join(" ")}`);
    assert.equal(steps.map((e) => e.step), [1, 2]);
    assert.ok(steps.every((e) => Number.isFinite(e.record.loss)));
    const done = messages.find((m) => m.type === "done");
    assert.ok(done?.type === "done" && done.result.method === "mazo");
    const files = messages.at(-1);
    assert.ok(files?.type === "files");
    for (const f of ["trajectory.jsonl", "metrics.jsonl", "eval.json", "masks.json"]) assert.ok(files.names.includes(f), `${f} not in ${files.names.join(", ")}`);
    assert.is(files.text["trajectory.jsonl"]!.trimEnd().split("\n").length, 1 + STEPS);
    assert.is(JSON.parse(files.text["eval.json"]!).after.dev_loss, evals[1]!.report.dev_loss);
  });

  s.run();
}
