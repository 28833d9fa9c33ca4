// mazo's bundle inside headless Chromium (WebGPU on SwiftShader), served from 127.0.0.1: the golden
// forward check of stories260K, the seeded generator against TypeScript, and 5 MeZO steps compared
// with the same steps run by Node through the same bundle (dist/mazo.js).
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

/** The MeZO check's fixed inputs, the same in the page and in Node. */
const MEZO = {
  steps: 5,
  seed: 20240611,
  eps: 1e-3,
  lr: 1e-4,
  sequences: [golden.teacher_forced_nll.ids_with_bos as number[], golden.encode[2].ids_with_bos as number[]],
};

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

  s("5 MeZO steps on stories260K in Chromium equal Node's to 1e-3 (same bundle, same seeds)", async () => {
    const tPage = performance.now();
    const inPage = await page.evaluate(async ({ origin, cfg }) => {
      const m: Mazo = await import(`${origin}/dist/mazo.js`);
      const ctx = await m.createGpuContext();
      try {
        const model = new m.LlamaModel(ctx, m.ParamStore.upload(ctx, m.parseLlama2c(await m.fetchBytes(`${origin}/data/stories260K/stories260K.bin`))));
        const loss = m.sequenceNll(model, cfg.sequences);
        const before = await loss();
        const steps = await m.mezoSteps(model, loss, { steps: cfg.steps, seed: cfg.seed, eps: cfg.eps, lr: cfg.lr });
        return { before, after: await loss(), steps };
      } finally {
        ctx.destroy();
      }
    }, { origin, cfg: MEZO });

    const tNode = performance.now();
    const m: Mazo = await import(pathToFileURL(join(root, "dist/mazo.js")).href);
    const ctx = await m.createGpuContext();
    let inNode;
    try {
      const model = new m.LlamaModel(ctx, m.ParamStore.upload(ctx, m.parseLlama2c(readFileSync(join(dataDir, "stories260K/stories260K.bin")))));
      const loss = m.sequenceNll(model, MEZO.sequences);
      const before = await loss();
      const steps = await m.mezoSteps(model, loss, { steps: MEZO.steps, seed: MEZO.seed, eps: MEZO.eps, lr: MEZO.lr });
      inNode = { before, after: await loss(), steps };
    } finally {
      ctx.destroy();
    }

    if (verbose) console.log(`  page ${(tNode - tPage) / 1000} s, node ${(performance.now() - tNode) / 1000} s`);
    let maxDiff = Math.abs(inPage.before - inNode.before);
    maxDiff = Math.max(maxDiff, Math.abs(inPage.after - inNode.after));
    assert.is(inPage.steps.length, MEZO.steps);
    inPage.steps.forEach((p, i) => {
      const n = inNode.steps[i]!;
      if (verbose) console.log(`  step ${i}: page loss+ ${p.lossPlus.toFixed(7)} loss- ${p.lossMinus.toFixed(7)} | node loss+ ${n.lossPlus.toFixed(7)} loss- ${n.lossMinus.toFixed(7)}`);
      assert.is(p.seed, n.seed);
      maxDiff = Math.max(maxDiff, Math.abs(p.lossPlus - n.lossPlus), Math.abs(p.lossMinus - n.lossMinus));
    });
    if (verbose) console.log(`  loss before ${inPage.before} (node ${inNode.before}), after ${inPage.after} (node ${inNode.after}); max |page - node| ${maxDiff.toExponential(2)}`);
    assert.ok(maxDiff <= 1e-3, `losses differ by ${maxDiff} > 1e-3`);
    // The steps changed the weights (the comparison is not between two untouched models) ...
    assert.ok(inPage.after !== inPage.before, "the loss did not move");
    // ... and each probe saw different losses at +eps and -eps.
    assert.ok(inPage.steps.every((p) => p.lossPlus !== p.lossMinus && Number.isFinite(p.g)));
  });

  s.run();
}
