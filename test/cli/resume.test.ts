// `mazo train --tasks` killed with SIGKILL and resumed with --resume ends with weights bit-identical to
// an uninterrupted run (same backend), and its run folder has the uninterrupted run's metrics.
import { suite } from "uvu";
import * as assert from "uvu/assert";
import { spawnSync } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import process from "node:process";
import { detectRuntime } from "../../src/gpu/runtime.ts";
import { gpuOrSkip } from "../harness/gpu.ts";

function cli(args: string[], env: Record<string, string> = {}): { status: number | null; signal: string | null; out: string } {
  const root = process.cwd();
  // Under Deno run the CLI with the Deno binary itself (node_modules/.bin/deno is a Node shim that
  // would turn the child's SIGKILL into an exit code).
  const deno = (globalThis as { Deno?: { execPath(): string } }).Deno;
  const [cmd, pre] = detectRuntime() === "deno" && deno !== undefined
    ? [deno.execPath(), ["run", "-A", join(root, "src/cli/main.ts")]]
    : [process.execPath, [join(root, ".build/node/cli.mjs")]];
  const r = spawnSync(cmd, [...pre, ...args], { encoding: "utf8", env: { ...process.env, ...env }, timeout: 10 * 60 * 1000 });
  return { status: r.status, signal: r.signal, out: (r.stdout ?? "") + (r.stderr ?? "") };
}

const ctx = await gpuOrSkip("cli resume");
if (ctx) {
  ctx.destroy(); // the CLI makes its own
  const s = suite("mazo train --resume");
  const common = ["train", "--tasks", "sst2,copa", "--train-n", "16", "--dev-n", "4", "--test-n", "4", "--batch", "2", "--max-len", "64", "--steps", "6", "--eval-every", "3", "--checkpoint-every", "2", "--calib-n", "4", "--seed", "7", "--quiet"];

  for (const method of ["mazo", "mezo"]) {
    s(`${method}: SIGKILL after step 3, resume, weights equal the uninterrupted run bit for bit`, () => {
      const dir = mkdtempSync(join(tmpdir(), "mazo-resume-"));
      try {
        const full = cli([...common, "--method", method, "--out", join(dir, "full")]);
        assert.is(full.status, 0, full.out);
        const killed = cli([...common, "--method", method, "--out", join(dir, "cut")], { MAZO_KILL_AFTER_STEP: "3" });
        assert.is(killed.signal, "SIGKILL", `expected the run to die by SIGKILL: ${killed.status} ${killed.out}`);
        const ck = JSON.parse(readFileSync(join(dir, "cut", "checkpoint.json"), "utf8")) as { step: number };
        assert.is(ck.step, 2, "the last checkpoint before the kill is step 2");
        const resumed = cli(["train", "--resume", join(dir, "cut"), "--quiet"]);
        assert.is(resumed.status, 0, resumed.out);
        const a = readFileSync(join(dir, "full", "model", "model.safetensors"));
        const b = readFileSync(join(dir, "cut", "model", "model.safetensors"));
        assert.ok(a.equals(b), "resumed weights differ from the uninterrupted run's");
        const ma = readFileSync(join(dir, "full", "metrics.jsonl"), "utf8").split("\n").map((l) => l.replace(/"ms":[0-9.e+-]+,?/, ""));
        const mb = readFileSync(join(dir, "cut", "metrics.jsonl"), "utf8").split("\n").map((l) => l.replace(/"ms":[0-9.e+-]+,?/, ""));
        assert.equal(mb, ma, "metrics.jsonl (without timings) must match");
        const ea = JSON.parse(readFileSync(join(dir, "full", "eval.json"), "utf8"));
        const eb = JSON.parse(readFileSync(join(dir, "cut", "eval.json"), "utf8"));
        assert.equal(eb.after, ea.after);
      } finally {
        rmSync(dir, { recursive: true, force: true });
      }
    });
  }
  s.run();
}
