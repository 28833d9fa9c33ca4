// 5 MaZO steps (calibration, MaZO masks from the Wasm engine, ZoTrainer over the masked entries) on
// stories260K with sst2 + copa data, in headless Chromium and in Node through the same bundle
// (dist/mazo.js, createMazoRun) with the same seeds: the losses must agree to 1e-3.
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

const root = repoRoot();
const dataDir = sharedDataDir();
const verbose = process.env.MAZO_TEST_VERBOSE === "1";

/** The run's fixed inputs, the same in the page and in Node. */
const CFG = {
  tasks: ["sst2", "copa"],
  sizes: { train: 4, dev: 0, test: 1 },
  steps: 5,
  run: { seed: 424242, eps: 1e-3, lr: 1e-3, keep: 0.05, batch: 2, maxLength: 40, calibrationExamples: 2 },
};
type Cfg = typeof CFG;
interface Outcome { trainable: number; total: number; steps: { loss: number; lossPlus: number; lossMinus: number; seed: number }[] }

/** The steps, given a loaded bundle and where its files are; runs unchanged in the page and in Node. */
async function mazoSteps(m: Mazo, modelBytes: Uint8Array, tokBytes: Uint8Array, dataDir: string, cfg: Cfg): Promise<Outcome> {
  const ctx = await m.createGpuContext();
  try {
    const model = new m.LlamaModel(ctx, m.ParamStore.upload(ctx, m.parseLlama2c(modelBytes)));
    const tok = await m.loadTokenizer(tokBytes);
    const splits = await m.loadTasks(cfg.tasks, { dataDir, seed: cfg.run.seed, sizes: cfg.sizes });
    const run = await m.createMazoRun(model, tok, splits, cfg.run);
    const steps = [];
    for (let i = 0; i < cfg.steps; i++) steps.push(await run.step());
    run.destroy();
    return { trainable: run.trainable, total: run.total, steps };
  } finally {
    ctx.destroy();
  }
}

const served = await openServedPage("mazo");
if (served !== null) run(served.page, served.origin, served.close);

function run(page: Page, origin: string, close: () => Promise<void>): void {
  const s = suite("MaZO in Chromium vs Node");
  s.after(close);

  s("5 MaZO steps on stories260K + sst2/copa in Chromium equal Node's to 1e-3", async () => {
    const t0 = performance.now();
    // The page evaluates mazoSteps' source: one function, run in both places.
    const inPage = await page.evaluate(async ({ origin, cfg, src }) => {
      const m = await import(`${origin}/dist/mazo.js`);
      const f = new Function(`return ${src}`)();
      const [model, tok] = await Promise.all([m.fetchBytes(`${origin}/data/stories260K/stories260K.bin`), m.fetchBytes(`${origin}/data/stories260K/tok512.bin`)]);
      return await f(m, model, tok, `${origin}/data`, cfg);
    }, { origin, cfg: CFG, src: mazoSteps.toString() }) as Outcome;
    const t1 = performance.now();
    const m: Mazo = await import(pathToFileURL(join(root, "dist/mazo.js")).href);
    const inNode = await mazoSteps(m, readFileSync(join(dataDir, "stories260K/stories260K.bin")), readFileSync(join(dataDir, "stories260K/tok512.bin")), dataDir, CFG);
    if (verbose) console.log(`  page ${((t1 - t0) / 1000).toFixed(1)} s, node ${((performance.now() - t1) / 1000).toFixed(1)} s; trainable ${inPage.trainable} of ${inPage.total}`);

    assert.is(inPage.trainable, inNode.trainable);
    assert.ok(inPage.trainable > 0 && inPage.trainable < inPage.total, `trainable ${inPage.trainable} of ${inPage.total}`);
    assert.is(inPage.steps.length, CFG.steps);
    let maxDiff = 0;
    inPage.steps.forEach((p, i) => {
      const n = inNode.steps[i]!;
      if (verbose) console.log(`  step ${i}: page loss+ ${p.lossPlus.toFixed(7)} loss- ${p.lossMinus.toFixed(7)} | node loss+ ${n.lossPlus.toFixed(7)} loss- ${n.lossMinus.toFixed(7)}`);
      assert.is(p.seed, n.seed);
      assert.ok(Number.isFinite(p.lossPlus) && Number.isFinite(p.lossMinus) && p.lossPlus !== p.lossMinus);
      maxDiff = Math.max(maxDiff, Math.abs(p.lossPlus - n.lossPlus), Math.abs(p.lossMinus - n.lossMinus));
    });
    if (verbose) console.log(`  max |page - node| over loss+/loss- ${maxDiff.toExponential(2)}`);
    assert.ok(maxDiff <= 1e-3, `losses differ by ${maxDiff} > 1e-3`);
  });

  s.run();
}
