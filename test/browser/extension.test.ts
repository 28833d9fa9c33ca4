// The Manifest V3 extension (examples/extension/, vendor/ filled by build/extension.mjs) loaded into
// headless Chromium: its page runs the golden forward check of stories260K and 3 MeZO steps through
// fineTune (events, a memory sink) from the extension's own files under its CSP ('wasm-unsafe-eval',
// no 'unsafe-eval'); we read the JSON result it writes to <body data-result>.
import { suite } from "uvu";
import * as assert from "uvu/assert";
import { existsSync, mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import process from "node:process";
import type { BrowserContext, Page } from "playwright-core";
import { chromiumOrSkip, launchWithExtension, repoRoot } from "./chromium.ts";
import { pageWithAdapter } from "./session.ts";

const root = repoRoot();
const extDir = join(root, "examples/extension");
const vendor = join(extDir, "vendor");
const verbose = process.env.MAZO_TEST_VERBOSE === "1";

interface ExtensionResult {
  ok: boolean;
  error?: string;
  path?: string;
  tokenizerOk?: boolean;
  golden?: { ok: boolean; bosOk: boolean; promptOk: boolean; bosMaxAbsDiff: number; promptMaxAbsDiff: number; greedyIds: number[]; greedyExpected: number[]; greedyEqual: boolean };
  steps?: { step: number; lossPlus: number; lossMinus: number; g: number }[];
  trajectoryLines?: number;
  done?: boolean;
  files?: string[];
  description?: string;
}

function vendorReady(): boolean {
  const missing = ["mazo.js", "stories260K.bin", "tok512.bin", "golden.json"].filter((f) => !existsSync(join(vendor, f)));
  if (missing.length === 0) return true;
  const msg = `examples/extension/vendor/ lacks ${missing.join(", ")} (run node build/all.mjs with the shared data present)`;
  if (process.env.MAZO_REQUIRE_GPU === "1") throw new Error(msg);
  console.log(`SKIP browser suite extension: ${msg}`);
  return false;
}

if (chromiumOrSkip("extension") && vendorReady()) {
  const profile = mkdtempSync(join(tmpdir(), "mazo-ext-"));
  const context: BrowserContext = await launchWithExtension(extDir, profile);
  const close = async () => {
    await context.close();
    rmSync(profile, { recursive: true, force: true });
  };
  const opened = await pageWithAdapter("extension", close, async () => {
    const worker = context.serviceWorkers()[0] ?? (await context.waitForEvent("serviceworker", { timeout: 30_000 }));
    const id = new URL(worker.url()).host;
    const page: Page = await context.newPage();
    const errors: string[] = [];
    page.on("pageerror", (e) => errors.push(e.message));
    page.on("console", (m) => {
      if (m.type() === "error") errors.push(m.text());
    });
    await page.goto(`chrome-extension://${id}/check.html`);
    return { page, id, errors };
  });
  if (opened !== null) run(opened.page, opened.id, opened.errors, close);
}

function run(page: Page, id: string, errors: string[], close: () => Promise<void>): void {
  const s = suite("mazo extension in Chromium");
  s.after(close);

  s("the manifest is MV3 with a CSP that allows Wasm but not eval", () => {
    const manifest = JSON.parse(readFileSync(join(extDir, "manifest.json"), "utf8"));
    assert.is(manifest.manifest_version, 3);
    const csp: string = manifest.content_security_policy.extension_pages;
    assert.match(csp, /'wasm-unsafe-eval'/);
    assert.not.match(csp, /'unsafe-eval'/);
    assert.ok(id.length === 32, `extension id ${id}`);
  });

  s("the extension page reports the golden forward check passed and 3 finite MeZO steps from fineTune", async () => {
    await page.waitForSelector("body[data-state=done]", { timeout: 90_000 });
    const result = JSON.parse((await page.getAttribute("body", "data-result")) ?? "{}") as ExtensionResult;
    if (verbose) console.log(`  extension (${result.path}): ${JSON.stringify({ golden: result.golden && { bos: result.golden.bosMaxAbsDiff, prompt: result.golden.promptMaxAbsDiff, greedy: result.golden.greedyEqual }, steps: result.steps })}`);
    assert.is(result.error, undefined);
    assert.equal(errors, []);
    assert.ok(result.golden?.bosOk, `BOS logits max |diff| ${result.golden?.bosMaxAbsDiff}`);
    assert.ok(result.golden?.promptOk, `prompt logits max |diff| ${result.golden?.promptMaxAbsDiff}`);
    assert.equal(result.golden?.greedyIds, result.golden?.greedyExpected);
    assert.is(result.golden?.greedyIds.length, 20);
    assert.ok(result.tokenizerOk, "the tokenizer's ids for the prompt match golden.json");
    assert.equal(result.steps?.map((st) => st.step), [1, 2, 3]);
    assert.ok(result.steps!.every((st) => Number.isFinite(st.lossPlus) && Number.isFinite(st.lossMinus) && st.lossPlus !== st.lossMinus));
    assert.ok(result.done, "fineTune's last event was not done");
    assert.is(result.trajectoryLines, 4);
    assert.equal(result.files, ["loss.svg", "metrics.jsonl", "trajectory.jsonl"]);
    assert.match(result.description ?? "", /^mezo: all /);
    assert.ok(result.ok);
    assert.match((await page.textContent("#status")) ?? "", /All checks passed/);
  });

  s.run();
}
