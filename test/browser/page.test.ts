// mazo's bundle inside headless Chromium (WebGPU on SwiftShader), served from 127.0.0.1: the golden
// forward check of stories260K, the seeded generator against TypeScript, and 5 MeZO steps of fineTune
// on text compared with the same run in Node through the same bundle (dist/mazo.js).
import { suite } from "uvu";
import * as assert from "uvu/assert";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import process from "node:process";
import { pathToFileURL } from "node:url";
import type { Page } from "playwright-core";
import { repoRoot, sharedDataDir } from "./chromium.ts";
import { openServedPage } from "./session.ts";

type Mazo = typeof import("../../src/index.ts") & typeof import("../../src/browser/index.ts");
type MazoKernels = typeof import("../../src/kernels.ts");

const root = repoRoot();
const dataDir = sharedDataDir();
const golden = JSON.parse(readFileSync(join(dataDir, "stories260K/golden.json"), "utf8"));
const verbose = process.env.MAZO_TEST_VERBOSE === "1";

/** The MeZO run's fixed inputs, the same in the page and in Node: two stories, both in every batch. */
const MEZO = {
  texts: [golden.teacher_forced_nll.text as string, golden.encode[2].text as string],
  options: { method: "mezo", steps: 5, batch: 2, maxLen: 64, noWeights: true, trainer: { seed: 20240611, eps: 1e-3, lr: 1e-4 } },
} as const;
interface MezoStep { seed: number; lossPlus: number; lossMinus: number; g: number; loss: number }
interface MezoOutcome { description: string; trainable: number; total: number; steps: MezoStep[]; trajectoryLines: number }

/** fineTune on the texts with full-parameter MeZO; runs unchanged in the page (from its source) and in Node. */
async function mezoRun(m: Mazo, modelBytes: Uint8Array, tokBytes: Uint8Array, cfg: typeof MEZO): Promise<MezoOutcome> {
  const ctx = await m.createGpuContext();
  try {
    const steps: MezoStep[] = [];
    const sink = m.memorySink();
    const r = await m.fineTune({
      ctx,
      model: { weights: m.parseLlama2c(modelBytes) },
      tokenizer: await m.loadTokenizer(tokBytes),
      data: { texts: cfg.texts },
      ...cfg.options,
      sink,
      onEvent: (e) => {
        if (e.type === "step") steps.push({ seed: e.record.seeds[0]!, lossPlus: e.record.lossPlus[0]!, lossMinus: e.record.lossMinus[0]!, g: e.record.g[0]!, loss: e.record.loss });
      },
    });
    const trajectoryLines = new TextDecoder().decode(sink.files.get("trajectory.jsonl")).trimEnd().split("\n").length;
    return { description: r.description, trainable: r.trainable, total: r.total, steps, trajectoryLines };
  } finally {
    ctx.destroy();
  }
}

const served = await openServedPage("page");
if (served !== null) runSuites(served.page, served.origin, served.errors, served.close);

function runSuites(page: Page, origin: string, pageErrors: string[], close: () => Promise<void>): void {
  const s = suite("mazo bundle in Chromium");
  s.after(close);

  s("the demo page loads its modules without errors", () => {
    assert.equal(pageErrors, []);
  });

  s("golden forward check on stories260K: logits within 1e-4 of golden.json, 20 greedy ids equal", async () => {
    const r = await page.evaluate(async (origin) => {
      const m: Mazo = await import(`${origin}/dist/mazo.js`);
      const ctx = await m.createGpuContext();
      try {
        const [bytes, golden] = await Promise.all([m.fetchBytes(`${origin}/data/stories260K/stories260K.bin`), m.fetchText(`${origin}/data/stories260K/golden.json`)]);
        const model = new m.LlamaModel(ctx, m.ParamStore.upload(ctx, m.parseLlama2c(bytes)));
        const report = await m.goldenForwardCheck(model, JSON.parse(golden), { greedyTokens: 20, tolerance: 1e-4 });
        return { report, path: ctx.path, software: ctx.info.software, faults: ctx.faults.map((f) => f.message) };
      } finally {
        ctx.destroy();
      }
    }, origin);
    if (verbose) console.log(`  golden in Chromium (${r.path}): BOS max |diff| ${r.report.bosMaxAbsDiff.toExponential(2)}, prompt ${r.report.promptMaxAbsDiff.toExponential(2)}, ${r.report.millis.toFixed(0)} ms`);
    assert.equal(r.faults, []);
    assert.ok(r.report.bosOk, `logits after BOS: max |diff| ${r.report.bosMaxAbsDiff}`);
    assert.ok(r.report.promptOk, `logits after the prompt: max |diff| ${r.report.promptMaxAbsDiff}, argmax ${r.report.promptArgmax} vs ${r.report.promptArgmaxExpected}`);
    assert.equal(r.report.greedyIds, golden.greedy_from_bos.ids.slice(0, 20));
    assert.ok(r.report.ok);
  });

  s("the seeded generator in Chromium equals TypeScript's zValue bit for bit (3 x 65536 values)", async () => {
    const cases: [number, number, number][] = [[0, 0, 0], [0xdeadbeef, 7, 2 ** 32 - 65536], [12345, 3, 1_000_000_007]];
    const got = await page.evaluate(async ({ origin, cases }) => {
      const m: MazoKernels = await import(`${origin}/dist/kernels.js`);
      const ctx = await m.createGpuContext();
      try {
        const out = [];
        for (const [seed, tensorId, index0] of cases) out.push(await m.rngAgreement(ctx, seed, tensorId, index0, 65536));
        return out;
      } finally {
        ctx.destroy();
      }
    }, { origin, cases });
    got.forEach((r, i) => {
      if (verbose) console.log(`  rng case ${JSON.stringify(cases[i])}: ${r.count} values, ${r.mismatches} mismatches, max |diff| ${r.maxAbsDiff}`);
      assert.is(r.count, 65536);
      assert.is(r.mismatches, 0, `case ${JSON.stringify(cases[i])}: ${r.mismatches} mismatches, max |diff| ${r.maxAbsDiff}`);
      assert.is(r.maxAbsDiff, 0);
    });
  });

  s("5 MeZO steps through fineTune (text data) on stories260K in Chromium equal Node's to 1e-3 (same bundle, same options)", async () => {
    const tPage = performance.now();
    const inPage = await page.evaluate(async ({ origin, cfg, src }) => {
      const m = await import(`${origin}/dist/mazo.js`);
      const f = new Function(`return ${src}`)();
      const [model, tok] = await Promise.all([m.fetchBytes(`${origin}/data/stories260K/stories260K.bin`), m.fetchBytes(`${origin}/data/stories260K/tok512.bin`)]);
      return await f(m, model, tok, cfg);
    }, { origin, cfg: MEZO, src: mezoRun.toString() }) as MezoOutcome;
    const tNode = performance.now();
    const m: Mazo = await import(pathToFileURL(join(root, "dist/mazo.js")).href);
    const inNode = await mezoRun(m, readFileSync(join(dataDir, "stories260K/stories260K.bin")), readFileSync(join(dataDir, "stories260K/tok512.bin")), MEZO);

    if (verbose) console.log(`  page ${(tNode - tPage) / 1000} s, node ${(performance.now() - tNode) / 1000} s; ${inPage.description}`);
    assert.match(inPage.description, /mezo|MeZO/);
    assert.ok(inPage.trainable > 0 && inPage.trainable <= inPage.total, `trainable ${inPage.trainable} of ${inPage.total}`);
    assert.is(inPage.steps.length, MEZO.options.steps);
    let maxDiff = 0;
    inPage.steps.forEach((p, i) => {
      const n = inNode.steps[i]!;
      if (verbose) console.log(`  step ${i + 1}: page loss+ ${p.lossPlus.toFixed(7)} loss- ${p.lossMinus.toFixed(7)} | node loss+ ${n.lossPlus.toFixed(7)} loss- ${n.lossMinus.toFixed(7)}`);
      assert.is(p.seed, n.seed);
      maxDiff = Math.max(maxDiff, Math.abs(p.lossPlus - n.lossPlus), Math.abs(p.lossMinus - n.lossMinus));
    });
    if (verbose) console.log(`  max |page - node| ${maxDiff.toExponential(2)}`);
    assert.ok(maxDiff <= 1e-3, `losses differ by ${maxDiff} > 1e-3`);
    // Every step sees the same batch (both texts), so a moving loss means the steps changed the weights ...
    assert.ok(new Set(inPage.steps.map((p) => p.loss)).size > 1, "the loss did not move");
    // ... and each probe saw different losses at +eps and -eps.
    assert.ok(inPage.steps.every((p) => p.lossPlus !== p.lossMinus && Number.isFinite(p.g)));
    assert.is(inPage.trajectoryLines, 1 + MEZO.options.steps);
  });

  s.run();
}
