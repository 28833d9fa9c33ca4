// The demo page (examples/browser/) end to end in headless Chromium: autostarted from query parameters,
// its worker runs fineTune (serveFineTune) on real task data served from /data/; the page draws the
// loss from the "step" events, fills the accuracy table from the "evaluation" events (EvalReport),
// offers the run's files (trajectory, metrics, eval.json) as downloads and saves them to OPFS, and keeps
// drawing frames while the worker trains. A "stop" message ends a run between steps, files included.
import { suite } from "uvu";
import * as assert from "uvu/assert";
import process from "node:process";
import type { Page } from "playwright-core";
import type { WorkerMessage } from "../../src/browser/protocol.ts";
import { openServedPage } from "./session.ts";

const STEPS = 3;
const verbose = process.env.MAZO_TEST_VERBOSE === "1";

/** What the tests read back from the page: its messages (files as names) and the text files of the run. */
interface Seen {
  events: WorkerMessage[];
  frames: number;
  names: string[];
  text: Record<string, string>;
  opfs: string | null;
  opfsTrajectory: string | null;
}

async function seen(page: Page): Promise<Seen> {
  return await page.evaluate(async () => {
    type Demo = { events: { type: string; files?: Record<string, Uint8Array> }[]; frames: number; opfs: string | null };
    const d = (window as unknown as { mazoDemo: Demo }).mazoDemo;
    const fin = d.events.find((e) => e.type === "finished");
    const files = fin?.files ?? {};
    const text: Record<string, string> = {};
    for (const n of ["trajectory.jsonl", "metrics.jsonl", "eval.json", "config.json"]) if (files[n] !== undefined) text[n] = new TextDecoder().decode(files[n]);
    let opfsTrajectory: string | null = null;
    if (d.opfs !== null) {
      let dir = await navigator.storage.getDirectory();
      for (const p of d.opfs.split("/")) dir = await dir.getDirectoryHandle(p);
      opfsTrajectory = await (await (await dir.getFileHandle("trajectory.jsonl")).getFile()).text();
    }
    const events = d.events.map((e) => (e.type === "finished" ? { ...e, files: {} } : e));
    return { events, frames: d.frames, names: Object.keys(files).sort(), text, opfs: d.opfs, opfsTrajectory };
  }) as Seen;
}

const served = await openServedPage("demo");
if (served !== null) run(served.page, served.origin, served.errors, served.close);

function run(page: Page, origin: string, errors: string[], close: () => Promise<void>): void {
  const s = suite("demo page");
  s.after(close);

  s("query parameters fill the form and default to stories260K served next to the page", async () => {
    await page.goto(`${origin}/examples/browser/index.html?steps=7&tasks=trec&method=mezo`);
    assert.is(await page.inputValue("input[name=steps]"), "7");
    assert.is(await page.inputValue("input[name=tasks]"), "trec");
    assert.is(await page.inputValue("select[name=method]"), "mezo");
    assert.is(await page.inputValue("input[name=model]"), "/data/stories260K/stories260K.bin");
    assert.is(await page.inputValue("input[name=tokenizer]"), "/data/stories260K/tok512.bin");
    assert.is(await page.getAttribute("body", "data-state"), "idle");
  });

  s(`autostart runs fineTune for ${STEPS} steps on sst2+copa in a worker: events, chart, accuracy table, run files`, async () => {
    await page.goto(`${origin}/examples/browser/index.html?autostart=1&tasks=sst2,copa&steps=${STEPS}&batch=2&train=4&dev=2&test=3&evalEvery=2&maxLen=48`);
    await page.waitForFunction(() => (window as unknown as { mazoDemo: { events: WorkerMessage[] } }).mazoDemo.events.some((e) => e.type === "step"), undefined, { timeout: 90_000 });
    const framesAtFirstStep = await page.evaluate(() => (window as unknown as { mazoDemo: { frames: number } }).mazoDemo.frames);
    await page.waitForSelector("body[data-state=done], body[data-state=error], body[data-state=stopped]", { timeout: 100_000 });
    const got = await seen(page);
    const fin = got.events.find((e) => e.type === "finished");
    assert.is(fin?.type === "finished" ? fin.status : undefined, "done", fin?.type === "finished" ? fin.message : "no finished message");
    assert.equal(errors, []);
    assert.is(got.events[0]?.type, "adapter");

    const steps = got.events.flatMap((e) => (e.type === "step" ? [e] : []));
    if (verbose) console.log(`  losses ${steps.map((e) => e.record.loss.toFixed(4)).join(" ")}; frames during training ${got.frames - framesAtFirstStep}`);
    assert.equal(steps.map((e) => e.step), [1, 2, 3]);
    assert.ok(steps.every((e) => e.total === STEPS && Number.isFinite(e.record.loss) && e.record.loss > 0 && e.record.lossPlus[0] !== e.record.lossMinus[0]));
    assert.equal(steps.map((e) => e.devLoss !== undefined), [false, true, true]);
    // The main thread kept drawing while the worker trained.
    assert.ok(got.frames - framesAtFirstStep >= 5, `only ${got.frames - framesAtFirstStep} frames during training`);

    const evals = got.events.flatMap((e) => (e.type === "evaluation" ? [e] : []));
    assert.equal(evals.map((e) => e.phase), ["before", "after"]);
    for (const e of evals) {
      assert.equal(Object.keys(e.report.tasks), ["sst2", "copa"]);
      for (const t of Object.values(e.report.tasks)) assert.equal([t.test_n, t.dev_n], [3, 2]);
      assert.ok(Number.isFinite(e.report.dev_loss) && e.report.dev_loss > 0, `dev loss ${e.report.dev_loss}`);
    }
    const done = got.events.find((e) => e.type === "done");
    assert.ok(done?.type === "done");
    assert.is(done.result.before?.dev_loss, evals[0]!.report.dev_loss);
    assert.is(done.result.after?.dev_loss, evals[1]!.report.dev_loss);
    assert.ok(done.result.trainable > 0 && done.result.trainable < done.result.total, `trainable ${done.result.trainable} of ${done.result.total}`);

    // The run's files: the run folder's layout, in memory.
    for (const f of ["config.json", "metrics.jsonl", "trajectory.jsonl", "masks.json", "eval.json", "loss.svg", "checkpoint.json"]) assert.ok(got.names.includes(f), `${f} missing from ${got.names.join(", ")}`);
    assert.ok(got.names.some((n) => n.startsWith("model/")), "no model/ files");
    const traj = got.text["trajectory.jsonl"]!.trimEnd().split("\n").map((l) => JSON.parse(l));
    assert.is(traj.length, 1 + STEPS);
    assert.equal(traj.slice(1).map((l) => l.step), [0, 1, 2]);
    const evalJson = JSON.parse(got.text["eval.json"]!);
    assert.is(evalJson.before.dev_loss, evals[0]!.report.dev_loss);
    assert.is(evalJson.after.average, evals[1]!.report.average);
    assert.is(got.text["metrics.jsonl"]!.trimEnd().split("\n").filter((l) => "loss" in JSON.parse(l)).length, STEPS);
    assert.ok(got.opfs !== null, "the files were not saved to OPFS");
    assert.is(got.opfsTrajectory, got.text["trajectory.jsonl"]);

    // The page: chart, accuracy table (from the same EvalReports), download links, adapter panel.
    const points = ((await page.getAttribute("#chart polyline.line", "points")) ?? "").trim().split(/\s+/);
    assert.is(points.length, STEPS);
    assert.is((await page.$$("#chart circle.dev")).length, 3); // before (step 0), steps 2 and 3
    const head = await page.$$eval("#accuracy thead th", (ths) => ths.map((th) => th.textContent));
    assert.equal(head, ["task", "before", "after"]);
    const rows = await page.$$eval("#accuracy tbody tr", (trs) => trs.map((tr) => [...tr.children].map((td) => td.textContent ?? "")));
    assert.equal(rows.map((r) => r[0]), ["sst2", "copa", "average", "dev loss"]);
    assert.ok(rows.slice(0, 3).every((r) => /%/.test(r[1]!) && /%/.test(r[2]!)), JSON.stringify(rows));
    assert.is(rows[3]![1], evals[0]!.report.dev_loss.toFixed(4));
    const links = await page.$$eval("#files a", (as) => as.map((a) => a.textContent));
    assert.ok(links.includes("trajectory.jsonl") && links.includes("eval.json"), links.join(", "));
    assert.match((await page.textContent("#adapter")) ?? "", /swiftshader|navigator\.gpu/i);
    assert.match((await page.textContent("#status")) ?? "", /^Done in .*OPFS/);
  });

  s("Stop aborts the run between steps: status stopped, the trajectory holds the steps that ran", async () => {
    await page.goto(`${origin}/examples/browser/index.html?autostart=1&tasks=trec&steps=500&batch=2&train=4&dev=1&test=1&maxLen=48`);
    await page.waitForFunction(() => (window as unknown as { mazoDemo: { events: WorkerMessage[] } }).mazoDemo.events.some((e) => e.type === "step"), undefined, { timeout: 90_000 });
    await page.click("#stop");
    await page.waitForSelector("body[data-state=stopped], body[data-state=error], body[data-state=done]", { timeout: 60_000 });
    const got = await seen(page);
    const fin = got.events.find((e) => e.type === "finished");
    assert.is(fin?.type === "finished" ? fin.status : undefined, "stopped", fin?.type === "finished" ? fin.message : "");
    const steps = got.events.filter((e) => e.type === "step").length;
    assert.ok(steps >= 1 && steps < 500, `${steps} steps`);
    assert.not.ok(got.events.some((e) => e.type === "done"));
    assert.is(got.text["trajectory.jsonl"]!.trimEnd().split("\n").length, 1 + steps);
    assert.match((await page.textContent("#status")) ?? "", new RegExp(`^Stopped after ${steps} steps`));
    assert.equal(errors, []);
  });

  s.run();
}
