// fineTune with MaZO (calibration, MaZO masks from the Wasm engine, ZoTrainer over the masked entries,
// evaluation before and after) for 5 steps on stories260K with sst2 + copa data, in headless Chromium
// and in Node through the same bundle (dist/mazo.js) with the same options: the step losses and the
// dev losses before and after must agree to 1e-3, and both runs write the same trajectory seeds.
import { suite } from "uvu";
import * as assert from "uvu/assert";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import process from "node:process";
import { pathToFileURL } from "node:url";
import type { Page } from "playwright-core";
import { repoRoot, sharedDataDir } from "./chromium.ts";
import { openServedPage } from "./session.ts";

type Mazo = typeof import("../../src/index.ts");

const root = repoRoot();
const dataDir = sharedDataDir();
const verbose = process.env.MAZO_TEST_VERBOSE === "1";

/** The run's fixed options, the same in the page and in Node (plain data: it crosses into the page). */
const CFG = {
  data: { tasks: ["sst2", "copa"], sizes: { train: 4, dev: 2, test: 2 } },
  options: { method: "mazo", steps: 5, batch: 2, maxLen: 40, evalEvery: 5, noWeights: true, trainer: { seed: 424242, eps: 1e-3, lr: 1e-3 }, mask: { keep: 0.05, calibN: 2 } },
} as const;
type Cfg = typeof CFG;
interface Step { seeds: number[]; lossPlus: number[]; lossMinus: number[] }
interface Outcome { trainable: number; total: number; steps: Step[]; before: number; after: number; tasks: string[]; events: string[]; trajectory: string }

/** One fineTune run, given a loaded bundle and where the task data is; runs unchanged in the page and in Node. */
async function pipelineRun(m: Mazo, modelBytes: Uint8Array, tokBytes: Uint8Array, dataDir: string, cfg: Cfg): Promise<Outcome> {
  const ctx = await m.createGpuContext();
  try {
    const events: import("../../src/index.ts").FineTuneEvent[] = [];
    const sink = m.memorySink();
    const r = await m.fineTune({
      ctx,
      model: { weights: m.parseLlama2c(modelBytes), name: "stories260K.bin" },
      tokenizer: await m.loadTokenizer(tokBytes),
      data: { ...cfg.data, dataDir },
      ...cfg.options,
      sink,
      onEvent: (e) => events.push(e),
    });
    const steps = events.flatMap((e) => (e.type === "step" ? [{ seeds: e.record.seeds, lossPlus: e.record.lossPlus, lossMinus: e.record.lossMinus }] : []));
    const trajectory = new TextDecoder().decode(sink.files.get("trajectory.jsonl"));
    return { trainable: r.trainable, total: r.total, steps, before: r.before!.dev_loss, after: r.after!.dev_loss, tasks: Object.keys(r.after!.tasks), events: [...new Set(events.map((e) => e.type))], trajectory };
  } finally {
    ctx.destroy();
  }
}

const served = await openServedPage("mazo");
if (served !== null) run(served.page, served.origin, served.close);

function run(page: Page, origin: string, close: () => Promise<void>): void {
  const s = suite("fineTune (MaZO) in Chromium vs Node");
  s.after(close);

  s("5 MaZO steps through fineTune on stories260K + sst2/copa in Chromium equal Node's to 1e-3", async () => {
    const t0 = performance.now();
    // The page evaluates pipelineRun's source: one function, run in both places.
    const inPage = await page.evaluate(async ({ origin, cfg, src }) => {
      const m = await import(`${origin}/dist/mazo.js`);
      const f = new Function(`return ${src}`)();
      const [model, tok] = await Promise.all([m.fetchBytes(`${origin}/data/stories260K/stories260K.bin`), m.fetchBytes(`${origin}/data/stories260K/tok512.bin`)]);
      return await f(m, model, tok, `${origin}/data`, cfg);
    }, { origin, cfg: CFG, src: pipelineRun.toString() }) as Outcome;
    const t1 = performance.now();
    const m: Mazo = await import(pathToFileURL(join(root, "dist/mazo.js")).href);
    const inNode = await pipelineRun(m, readFileSync(join(dataDir, "stories260K/stories260K.bin")), readFileSync(join(dataDir, "stories260K/tok512.bin")), dataDir, CFG);
    if (verbose) console.log(`  page ${((t1 - t0) / 1000).toFixed(1)} s, node ${((performance.now() - t1) / 1000).toFixed(1)} s; trainable ${inPage.trainable} of ${inPage.total}; dev loss ${inPage.before} -> ${inPage.after} (node ${inNode.before} -> ${inNode.after})`);

    assert.equal(inPage.events, ["progress", "evaluation", "checkpoint", "step", "done"]);
    assert.equal(inPage.tasks, ["sst2", "copa"]);
    assert.is(inPage.trainable, inNode.trainable);
    assert.ok(inPage.trainable > 0 && inPage.trainable < inPage.total, `trainable ${inPage.trainable} of ${inPage.total}`);
    assert.is(inPage.steps.length, CFG.options.steps);
    let maxDiff = Math.max(Math.abs(inPage.before - inNode.before), Math.abs(inPage.after - inNode.after));
    inPage.steps.forEach((p, i) => {
      const n = inNode.steps[i]!;
      if (verbose) console.log(`  step ${i}: page loss+ ${p.lossPlus[0]!.toFixed(7)} loss- ${p.lossMinus[0]!.toFixed(7)} | node loss+ ${n.lossPlus[0]!.toFixed(7)} loss- ${n.lossMinus[0]!.toFixed(7)}`);
      assert.equal(p.seeds, n.seeds);
      assert.ok(Number.isFinite(p.lossPlus[0]) && Number.isFinite(p.lossMinus[0]) && p.lossPlus[0] !== p.lossMinus[0]);
      maxDiff = Math.max(maxDiff, Math.abs(p.lossPlus[0]! - n.lossPlus[0]!), Math.abs(p.lossMinus[0]! - n.lossMinus[0]!));
    });
    if (verbose) console.log(`  max |page - node| over loss+/loss- and dev losses ${maxDiff.toExponential(2)}`);
    assert.ok(maxDiff <= 1e-3, `losses differ by ${maxDiff} > 1e-3`);
    assert.ok(Number.isFinite(inPage.before) && inPage.after !== inPage.before, `dev loss ${inPage.before} -> ${inPage.after}`);
    const seeds = (t: string) => t.trimEnd().split("\n").slice(1).map((l) => JSON.parse(l).seeds);
    assert.is(inPage.trajectory.trimEnd().split("\n").length, 1 + CFG.options.steps);
    assert.equal(seeds(inPage.trajectory), seeds(inNode.trajectory));
  });

  s.run();
}
