// The demo page (examples/browser/) end to end in headless Chromium: autostarted from query parameters,
// it trains in a Web Worker on real task data served from /data/, draws the loss, fills the accuracy
// table and the adapter panel, and the page keeps drawing frames while the worker trains.
import { suite } from "uvu";
import * as assert from "uvu/assert";
import process from "node:process";
import type { Page } from "playwright-core";
import type { DemoEvent } from "../../src/browser/protocol.ts";
import { openServedPage } from "./session.ts";

const STEPS = 3;
const verbose = process.env.MAZO_TEST_VERBOSE === "1";

const served = await openServedPage("demo");
if (served !== null) run(served.page, served.origin, served.errors, served.close);

function run(page: Page, origin: string, errors: string[], close: () => Promise<void>): void {
  const s = suite("demo page");
  s.after(close);

  s("query parameters fill the form and default to stories260K served next to the page", async () => {
    await page.goto(`${origin}/examples/browser/index.html?steps=7&tasks=trec`);
    assert.is(await page.inputValue("input[name=steps]"), "7");
    assert.is(await page.inputValue("input[name=tasks]"), "trec");
    assert.is(await page.inputValue("input[name=model]"), "/data/stories260K/stories260K.bin");
    assert.is(await page.inputValue("input[name=tokenizer]"), "/data/stories260K/tok512.bin");
    assert.is(await page.getAttribute("body", "data-state"), "idle");
  });

  s(`autostart trains ${STEPS} steps on sst2+copa in a worker: loss chart, accuracy table, adapter info`, async () => {
    await page.goto(`${origin}/examples/browser/index.html?autostart=1&tasks=sst2,copa&steps=${STEPS}&batch=2&train=4&test=3&maxLength=48`);
    await page.waitForFunction(() => (window as unknown as { mazoDemo: { events: DemoEvent[] } }).mazoDemo.events.some((e) => e.type === "step"), undefined, { timeout: 90_000 });
    const framesAtFirstStep = await page.evaluate(() => (window as unknown as { mazoDemo: { frames: number } }).mazoDemo.frames);
    await page.waitForSelector("body[data-state=done], body[data-state=error]", { timeout: 100_000 });
    const state = await page.evaluate(() => (window as unknown as { mazoDemo: { events: DemoEvent[]; frames: number } }).mazoDemo);
    const err = state.events.find((e) => e.type === "error");
    assert.is(err, undefined, err?.type === "error" ? err.message : "");
    assert.equal(errors, []);

    const loaded = state.events.find((e) => e.type === "loaded");
    assert.match(loaded?.type === "loaded" ? loaded.trainer : "", /^MaZO \(keep 0\.05: /);
    const steps = state.events.filter((e) => e.type === "step");
    if (verbose) console.log(`  losses ${steps.map((e) => e.loss.toFixed(4)).join(" ")}; frames during training ${state.frames - framesAtFirstStep}`);
    assert.is(steps.length, STEPS);
    assert.ok(steps.every((e) => Number.isFinite(e.loss) && e.loss > 0));
    // The main thread kept drawing while the worker trained.
    assert.ok(state.frames - framesAtFirstStep >= 5, `only ${state.frames - framesAtFirstStep} frames during training`);

    const acc = state.events.filter((e) => e.type === "accuracy");
    assert.equal(acc.map((e) => e.phase), ["before", "after"]);
    for (const e of acc) {
      assert.equal(Object.keys(e.report.tasks), ["sst2", "copa"]);
      for (const t of Object.values(e.report.tasks)) assert.is(t.total, 3);
    }
    const points = ((await page.getAttribute("#chart polyline", "points")) ?? "").trim().split(/\s+/);
    assert.is(points.length, STEPS);
    const rows = await page.$$eval("#accuracy tbody tr", (trs) => trs.map((tr) => [...tr.children].map((td) => td.textContent ?? "")));
    assert.equal(rows.map((r) => r[0]), ["sst2", "copa", "average"]);
    assert.ok(rows.every((r) => /%/.test(r[1]!) && /%/.test(r[2]!)), JSON.stringify(rows));
    assert.match((await page.textContent("#adapter")) ?? "", /swiftshader|navigator\.gpu/i);
    assert.match((await page.textContent("#status")) ?? "", /^Done in/);
  });

  s.run();
}
