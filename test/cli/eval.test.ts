// `mazo eval`: with a run's task settings, `--model <base>` reproduces the run's "before" numbers and
// `--run <dir>` (the saved model/, or base + adapter/) its "after" numbers, exactly (same backend); the
// table goes to stdout and --out writes the JSON report.
import { suite } from "uvu";
import * as assert from "uvu/assert";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { gpuOrSkip } from "../harness/gpu.ts";
import { cli, TINY } from "./spawn_cli.ts";

interface Report {
  readonly dev_loss: number;
  readonly average: number;
  readonly tasks: Record<string, { accuracy: number; dev_loss: number; test_n: number; dev_n: number }>;
}
const pick = (r: Report): Report => ({ dev_loss: r.dev_loss, average: r.average, tasks: r.tasks });
const readJson = (p: string) => JSON.parse(readFileSync(p, "utf8"));

const ctx = await gpuOrSkip("cli eval");
if (ctx) {
  ctx.destroy(); // the CLI makes its own
  const s = suite("mazo eval");
  const dir = mkdtempSync(join(tmpdir(), "mazo-eval-"));

  for (const [method, extra] of [["mazo", ["--keep", "0.1", "--lr", "1e-2"]], ["lora-mazo", ["--keep", "0.5", "--lr", "1e-2"]]] as const) {
    s(`${method}: eval --run reproduces the run's "after", eval --model <base> its "before"`, () => {
      const run = join(dir, method);
      const t = cli(["train", ...TINY, "--method", method, ...extra, "--out", run]);
      assert.is(t.status, 0, t.out);
      const runEval = readJson(join(run, "eval.json")) as { before: Report; after: Report };
      assert.is.not(runEval.after.dev_loss, runEval.before.dev_loss, "training did not change the dev loss, so the comparison proves nothing");

      const after = cli(["eval", "--run", run, "--out", join(dir, `${method}-after.json`), "--quiet"]);
      assert.is(after.status, 0, after.out);
      assert.equal(pick(readJson(join(dir, `${method}-after.json`))), pick(runEval.after));
      assert.match(after.stdout, /\| sst2 +\| +\d+\.\d%/);
      assert.match(after.stdout, /\| average +\|/);

      const base = readJson(join(run, "config.json")).model as string;
      const before = cli(["eval", "--model", base, "--tasks", "sst2,copa", "--train-n", "16", "--dev-n", "4", "--test-n", "4", "--seed", "7", "--max-len", "64", "--out", join(dir, `${method}-before.json`), "--quiet"]);
      assert.is(before.status, 0, before.out);
      const got = readJson(join(dir, `${method}-before.json`));
      assert.equal(pick(got), pick(runEval.before));
      assert.equal(got.settings, { tasks: ["sst2", "copa"], sizes: { train: 16, dev: 4, test: 4 }, seed: 7, max_len: 64 });
    });
  }

  s("eval --run with a task flag overrides the run's settings", () => {
    const r = cli(["eval", "--run", join(dir, "mazo"), "--tasks", "copa", "--out", join(dir, "copa.json"), "--quiet"]);
    assert.is(r.status, 0, r.out);
    const got = readJson(join(dir, "copa.json")) as Report;
    assert.equal(Object.keys(got.tasks), ["copa"]);
    const runAfter = (readJson(join(dir, "mazo", "eval.json")) as { after: Report }).after;
    assert.equal(got.tasks.copa, runAfter.tasks.copa);
  });

  s("--run with --adapter, and an unknown task, are usage errors listing what is valid", () => {
    const both = cli(["eval", "--run", join(dir, "mazo"), "--adapter", join(dir, "lora-mazo", "adapter")]);
    assert.is(both.status, 2, both.out);
    assert.match(both.out, "--adapter and --run exclude each other");
    const bad = cli(["eval", "--tasks", "sst2,nope"]);
    assert.is(bad.status, 2, bad.out);
    assert.match(bad.out, /unknown task "nope"; valid: sst2, trec/);
  });

  s.after(() => rmSync(dir, { recursive: true, force: true }));
  s.run();
}
