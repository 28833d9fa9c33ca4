// Fault injection (issue 14): a run SIGKILLed halfway through writing checkpoint.json or the final
// model, or stopped by a full disk (a small tmpfs) during the final write, leaves the previous files
// intact, says which file and disk, and `--resume` ends with the uninterrupted run's weights byte for
// byte. Run files have mode 0644. Runs once, under Node (each scenario is a few CLI trainings).
import { execFileSync } from "node:child_process";
import { cpSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { suite } from "uvu";
import * as assert from "uvu/assert";
import { detectRuntime } from "../../src/gpu/runtime.ts";
import { gpuOrSkip } from "../harness/gpu.ts";
import { cli } from "./spawn_cli.ts";

const ARGS = ["train", "--tasks", "sst2", "--train-n", "8", "--dev-n", "2", "--test-n", "2", "--batch", "2", "--max-len", "48", "--steps", "4", "--eval-every", "2", "--checkpoint-every", "2", "--calib-n", "2", "--seed", "11", "--method", "mezo", "--quiet"];

if (detectRuntime() === "deno") {
  console.log("SKIP cli faults on deno: the fault scenarios run once, from the Node test run");
} else {
  const ctx = await gpuOrSkip("cli faults");
  if (ctx) {
    ctx.destroy();
    const dir = mkdtempSync(join(tmpdir(), "mazo-faults-"));
    const weights = (run: string) => readFileSync(join(run, "model", "model.safetensors"));
    const full = join(dir, "full");
    const s = suite("mazo train under faults");
    s.before(() => {
      const r = cli([...ARGS, "--out", full]);
      assert.is(r.status, 0, r.out);
    });
    s("run files are created with mode 0644", () => {
      for (const f of ["config.json", "metrics.jsonl", "trajectory.jsonl", "checkpoint.json", "eval.json", "model/model.safetensors"]) {
        assert.is((statSync(join(full, f)).mode & 0o777).toString(8), "644", f);
      }
    });
    for (const [what, fault, checkpointStep] of [
      ["halfway through writing the second checkpoint.json", "kill-writing:checkpoint.json:2", 0],
      ["halfway through writing the final model", "kill-writing:model/model.safetensors", 4],
    ] as const) {
      s(`SIGKILL ${what}: the previous checkpoint is intact and --resume gives the uninterrupted weights`, () => {
        const cut = join(dir, fault.replace(/[^a-z0-9]+/gi, "_"));
        const k = cli([...ARGS, "--out", cut], { MAZO_FAULT: fault });
        assert.is(k.signal, "SIGKILL", `expected the run to die by SIGKILL: ${k.status} ${k.out}`);
        const ck = JSON.parse(readFileSync(join(cut, "checkpoint.json"), "utf8")) as { step: number };
        assert.is(ck.step, checkpointStep, "checkpoint.json is the last complete one");
        const r = cli(["train", "--resume", cut, "--quiet"]);
        assert.is(r.status, 0, r.out);
        assert.ok(weights(cut).equals(weights(full)), "resumed weights differ from the uninterrupted run's");
        for (const sub of ["", "model"]) assert.equal(readdirSync(join(cut, sub)).filter((f) => f.includes(".tmp-")), [], "resume removes the killed write's temporary file");
      });
    }
    s("a full disk during the final write names the file and the disk; the checkpoint survives and resumes elsewhere", () => {
      const mnt = join(dir, "small-disk");
      mkdirSync(mnt);
      try {
        execFileSync("mount", ["-t", "tmpfs", "-o", "size=512k", "tmpfs", mnt], { stdio: "pipe" });
      } catch (e) {
        console.log(`SKIP full-disk scenario: cannot mount a small tmpfs here (${(e as Error).message.split("\n")[0]})`);
        return;
      }
      try {
        const out = join(mnt, "run");
        const r = cli([...ARGS, "--out", out]);
        assert.is(r.status, 1, r.out);
        assert.match(r.out, /model\.safetensors: cannot be written: no space left on the device that holds .*small-disk\/run\/model \(ENOSPC\)/);
        const ck = JSON.parse(readFileSync(join(out, "checkpoint.json"), "utf8")) as { step: number };
        assert.is(ck.step, 4, "the final checkpoint was written before the model");
        assert.equal(readdirSync(join(out, "model")).filter((f) => f.includes(".tmp-")), [], "no temporary file left behind");
        const moved = join(dir, "moved");
        cpSync(out, moved, { recursive: true });
        const again = cli(["train", "--resume", moved, "--quiet"]);
        assert.is(again.status, 0, again.out);
        assert.ok(weights(moved).equals(weights(full)), "resumed weights differ from the uninterrupted run's");
      } finally {
        execFileSync("umount", [mnt]);
      }
    });
    s.after(() => rmSync(dir, { recursive: true, force: true }));
    s.run();
  }
}
