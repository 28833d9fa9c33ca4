// `mazo replay` of masked runs: it reads the run's masks (the file the trajectory header names, next to
// the trajectory), rebuilds the scope and replays, giving the run's model/model.safetensors (or its
// adapter) bit for bit without a forward pass. A header-only trajectory replays to the base weights,
// which differ from the trained ones (so the equality is not vacuous), and a missing mask file is an error
// that names it.
import { suite } from "uvu";
import * as assert from "uvu/assert";
import { copyFileSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { gpuOrSkip } from "../harness/gpu.ts";
import { cli, TINY } from "./spawn_cli.ts";

const ctx = await gpuOrSkip("cli replay");
if (ctx) {
  ctx.destroy(); // the CLI makes its own
  const s = suite("mazo replay (masked methods)");
  const dir = mkdtempSync(join(tmpdir(), "mazo-replay-"));

  for (const method of ["mazo", "sparse-mezo", "random-mask", "single-task"]) {
    s(`${method}: replay --run equals the run's model/model.safetensors bit for bit`, () => {
      const run = join(dir, method);
      const t = cli(["train", ...TINY, "--method", method, "--keep", "0.1", "--out", run]);
      assert.is(t.status, 0, t.out);
      const r = cli(["replay", "--run", run, "--out", join(dir, `${method}-replayed`), "--quiet"]);
      assert.is(r.status, 0, r.out);
      assert.ok(r.stdout.includes(join(dir, `${method}-replayed`, "model.safetensors")), `replay should list the files it wrote: ${r.stdout}`);
      const trained = readFileSync(join(run, "model", "model.safetensors"));
      const replayed = readFileSync(join(dir, `${method}-replayed`, "model.safetensors"));
      assert.ok(replayed.equals(trained), `${method}: replayed weights differ from the trained model`);
    });
  }

  s("a header-only trajectory (next to the run's masks.json) replays to the base weights, unlike the run's", () => {
    const run = join(dir, "mazo");
    const cut = join(dir, "header-only");
    mkdirSync(cut, { recursive: true });
    writeFileSync(join(cut, "trajectory.jsonl"), readFileSync(join(run, "trajectory.jsonl"), "utf8").split("\n")[0] + "\n");
    copyFileSync(join(run, "masks.json"), join(cut, "masks.json"));
    const r = cli(["replay", "--trajectory", join(cut, "trajectory.jsonl"), "--out", join(cut, "out"), "--quiet"]);
    assert.is(r.status, 0, r.out);
    const base = readFileSync(join(cut, "out", "model.safetensors"));
    assert.not.ok(base.equals(readFileSync(join(run, "model", "model.safetensors"))), "the run did not change the weights, so equality proves nothing");
  });

  s("a masked trajectory without its masks.json fails, naming the missing file", () => {
    const lone = join(dir, "lone");
    mkdirSync(lone, { recursive: true });
    copyFileSync(join(dir, "mazo", "trajectory.jsonl"), join(lone, "trajectory.jsonl"));
    const r = cli(["replay", "--trajectory", join(lone, "trajectory.jsonl"), "--out", join(lone, "out"), "--quiet"]);
    assert.is(r.status, 1, r.out);
    assert.match(r.out, join(lone, "masks.json"));
  });

  s("lora-mazo: replay --run writes the run's adapter bit for bit (and --merge a merged model)", () => {
    const run = join(dir, "lora-mazo");
    const t = cli(["train", ...TINY, "--method", "lora-mazo", "--keep", "0.25", "--lr", "1e-2", "--out", run]);
    assert.is(t.status, 0, t.out);
    const r = cli(["replay", "--run", run, "--out", join(dir, "lora-replayed"), "--merge", "--quiet"]);
    assert.is(r.status, 0, r.out);
    const a = readFileSync(join(run, "adapter", "adapter_model.safetensors"));
    const b = readFileSync(join(dir, "lora-replayed", "adapter", "adapter_model.safetensors"));
    assert.ok(b.equals(a), "replayed adapter differs from the run's");
    assert.ok(readFileSync(join(dir, "lora-replayed", "merged", "model.safetensors")).length > 0);
  });

  s("replay without --run or --trajectory is a usage error", () => {
    const r = cli(["replay", "--out", join(dir, "x")]);
    assert.is(r.status, 2, r.out);
    assert.match(r.out, "--run <dir> or --trajectory <file> is required");
  });

  s.after(() => rmSync(dir, { recursive: true, force: true }));
  s.run();
}
