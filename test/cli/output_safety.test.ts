// Output safety (issue 14): a run never writes into a used folder unless asked (--resume, --overwrite),
// --out naming a file or an impossible path fails at once with the path named, --resume refuses flags
// that contradict the saved run, and integer options are integers. All checked before any GPU work,
// so this suite needs no adapter.
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { suite } from "uvu";
import * as assert from "uvu/assert";
import { UsageError } from "../../src/cli/command.ts";
import { resumedValues } from "../../src/cli/resume_options.ts";
import { MazoFileError } from "../../src/io/errors.ts";
import { makeFolder, prepareOutputFolder } from "../../src/io/output_folder.ts";
import { cli } from "./spawn_cli.ts";

const tmp = mkdtempSync(join(tmpdir(), "mazo-out-"));

const lib = suite("prepareOutputFolder()");
lib("refuses a non-empty folder, naming it and the ways out; the files stay as they were", () => {
  const d = join(tmp, "used");
  mkdirSync(d);
  writeFileSync(join(d, "eval.json"), "{\"keep\": 1}");
  try {
    prepareOutputFolder(d);
    assert.unreachable("must throw");
  } catch (e) {
    assert.instance(e, MazoFileError);
    assert.match((e as Error).message, `${d}: is not empty (eval.json)`);
    assert.match((e as Error).message, `--resume ${d}`);
    assert.match((e as Error).message, "--overwrite");
  }
  assert.is(readFileSync(join(d, "eval.json"), "utf8"), "{\"keep\": 1}");
});
lib("creates a new folder and its parents; an empty folder is fine", () => {
  const d = join(tmp, "a", "b", "c");
  prepareOutputFolder(d);
  assert.ok(existsSync(d));
  prepareOutputFolder(d);
});
lib("overwrite removes the run's files and nothing else", () => {
  const d = join(tmp, "over");
  mkdirSync(join(d, "model"), { recursive: true });
  for (const f of ["metrics.jsonl", "trajectory.jsonl", "model/model.safetensors", "notes.txt"]) writeFileSync(join(d, f), "x");
  prepareOutputFolder(d, "overwrite");
  assert.not.ok(existsSync(join(d, "metrics.jsonl")));
  assert.not.ok(existsSync(join(d, "trajectory.jsonl")));
  assert.not.ok(existsSync(join(d, "model")));
  assert.is(readFileSync(join(d, "notes.txt"), "utf8"), "x");
});
lib("resume needs a run folder; a file is never a folder", () => {
  assert.throws(() => prepareOutputFolder(join(tmp, "nothing"), "resume"), /no such run folder to resume/);
  const f = join(tmp, "file.txt");
  writeFileSync(f, "data");
  assert.throws(() => prepareOutputFolder(f), (e: unknown) => e instanceof MazoFileError && /exists and is not a folder/.test((e as Error).message));
  assert.throws(() => makeFolder(join(f, "sub")), /file.txt: exists and is not a folder/);
  assert.is(readFileSync(f, "utf8"), "data");
});
lib.run();

const res = suite("resumedValues()");
const saved = { lr: "0.001", steps: "8", seed: "0", schedule: "constant", out: "runs/a" };
res("keeps the saved settings when only --resume, --backend and --quiet are given", () => {
  const r = resumedValues("runs/a", saved, { resume: "runs/a", lr: "0.5", backend: "vulkan", quiet: true }, new Set(["resume", "backend", "quiet"]));
  assert.is(r.values.lr, "0.001", "a default that differs from the saved value is not a contradiction");
  assert.is(r.values.backend, "vulkan");
  assert.equal(r.notes, []);
});
res("refuses a flag that contradicts the saved run, naming both values", () => {
  try {
    resumedValues("runs/a", saved, { resume: "runs/a", lr: "5" }, new Set(["resume", "lr"]));
    assert.unreachable("must throw");
  } catch (e) {
    assert.instance(e, UsageError);
    assert.match((e as Error).message, "--lr 5 contradicts the saved run's lr 0.001");
  }
});
res("a flag equal to the saved value is accepted", () => {
  assert.is(resumedValues("runs/a", saved, { lr: "0.001" }, new Set(["lr"])).values.lr, "0.001");
});
res("--steps may grow under a constant lr, and says so; fewer steps or a schedule are refused", () => {
  const r = resumedValues("runs/a", saved, { steps: "12" }, new Set(["steps"]));
  assert.is(r.values.steps, "12");
  assert.match(r.notes[0] ?? "", "training to step 12 instead of the saved 8");
  assert.throws(() => resumedValues("runs/a", saved, { steps: "4" }, new Set(["steps"])), /can only train longer/);
  assert.throws(() => resumedValues("runs/a", { ...saved, schedule: "cosine" }, { steps: "12" }, new Set(["steps"])), /cosine schedule depends on the total steps/);
});
res.run();

const c = suite("mazo train: output and option checks before the GPU starts");
c("a used --out folder is refused and left as it was", () => {
  const d = join(tmp, "cli-used");
  mkdirSync(d);
  writeFileSync(join(d, "eval.json"), "old");
  const r = cli(["train", "--out", d, "--steps", "2", "--quiet"]);
  assert.is(r.status, 1, r.out);
  assert.match(r.out, `${d}: is not empty (eval.json)`);
  assert.is(readFileSync(join(d, "eval.json"), "utf8"), "old");
});
c("--out naming a file, or a path that cannot be created, fails at once with the path named", () => {
  const f = join(tmp, "cli-file");
  writeFileSync(f, "keep");
  const r = cli(["train", "--out", f, "--quiet"]);
  assert.is(r.status, 1, r.out);
  assert.match(r.out, `${f}: exists and is not a folder`);
  assert.is(readFileSync(f, "utf8"), "keep");
  const p = cli(["train", "--out", "/proc/mazo_run", "--quiet"]); // Node's recursive mkdir loops forever here
  assert.is(p.status, 1, p.out);
  assert.match(p.out, /\/proc\/mazo_run: cannot create this folder/);
});
c("--resume with a contradicting flag is refused", () => {
  const d = join(tmp, "cli-run");
  mkdirSync(d);
  writeFileSync(join(d, "config.json"), JSON.stringify({ options: saved }));
  const r = cli(["train", "--resume", d, "--lr", "5", "--quiet"]);
  assert.is(r.status, 2, r.out);
  assert.match(r.out, "--lr 5 contradicts the saved run's lr 0.001");
});
c("integer options refuse fractions and say how to write a negative value", () => {
  const a = cli(["train", "--steps", "2.5", "--quiet"]);
  assert.is(a.status, 2, a.out);
  assert.match(a.out, '--steps must be an integer in [0, 2147483648], got "2.5"');
  const b = cli(["train", "--steps", "-1", "--quiet"]);
  assert.is(b.status, 2, b.out);
  assert.match(b.out, '--steps takes a value, and "-1" starts with "-"; write it as --steps=-1');
  const n = cli(["train", "--steps=-1", "--quiet"]);
  assert.is(n.status, 2, n.out);
  assert.match(n.out, '--steps must be a number in [0, 2147483648], got "-1"');
});
c.after(() => rmSync(tmp, { recursive: true, force: true }));
c.run();
