// The README's Deno embed runs as written: the ```ts block under "### In a Deno script" is extracted,
// its import of "jsr:@mazo/mazo" pointed at src/index.ts, its budget cut to 2 steps on a few examples,
// and run with `deno run -A`; it must finish and print the accuracy line. examples/embed/deno.ts is
// type-checked with the public API it imports. Runs from the Deno test run (Deno's WebGPU is the one the
// snippet uses); GPU-less machines skip visibly (MAZO_REQUIRE_GPU=1 fails instead).
import { suite } from "uvu";
import * as assert from "uvu/assert";
import { spawnSync } from "node:child_process";
import { mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import process from "node:process";
import { gpuOrSkip } from "../harness/gpu.ts";
import { onDeno, repoRoot, tool } from "./repo.ts";

const root = repoRoot();

/** The first ```ts block after `heading` in `markdown` (throws when there is none). */
export function snippetAfter(markdown: string, heading: string): string {
  const at = markdown.indexOf(`\n${heading}\n`);
  if (at < 0) throw new Error(`README.md has no heading ${JSON.stringify(heading)}`);
  const m = /\n```ts\n([\s\S]*?)\n```\n/.exec(markdown.slice(at));
  if (m === null) throw new Error(`README.md: no \`\`\`ts block after ${heading}`);
  return m[1]!;
}

/** Replaces the single match of `re` in `text` (throws when it matches zero or several times: the README changed). */
function replaceOnce(text: string, re: RegExp, by: string): string {
  const n = [...text.matchAll(new RegExp(re.source, "g"))].length;
  if (n !== 1) throw new Error(`README snippet: expected exactly one match of ${re}, found ${n}`);
  return text.replace(re, by);
}

const s = suite("README embed (Deno)");

if (!onDeno()) {
  console.log("SKIP README embed on node: the Deno snippet runs from the Deno test run");
} else {
  s("examples/embed/deno.ts type-checks against the public API", () => {
    const r = spawnSync(tool("deno"), ["check", "--quiet", "examples/embed/deno.ts"], { cwd: root, encoding: "utf8", env: { ...process.env, NO_COLOR: "1" } });
    assert.is(r.status, 0, `deno check examples/embed/deno.ts failed:\n${r.stdout}${r.stderr}`);
  });

  const ctx = await gpuOrSkip("README embed");
  if (ctx !== null) {
    s("the README's Deno snippet fine-tunes stories260K on sst2 and prints the accuracy (2 steps)", () => {
      let code = snippetAfter(readFileSync(join(root, "README.md"), "utf8"), "### In a Deno script");
      code = replaceOnce(code, /"jsr:@mazo\/mazo"/, JSON.stringify("../../src/index.ts"));
      code = replaceOnce(code, /steps: \d+,/, "steps: 2,");
      code = replaceOnce(code, /sizes: \{[^}]*\}/, "sizes: { train: 16, dev: 4, test: 8 }");
      const dir = join(root, ".build/readme");
      mkdirSync(dir, { recursive: true });
      writeFileSync(join(dir, "embed.ts"), code);
      const r = spawnSync(tool("deno"), ["run", "-A", "--quiet", join(dir, "embed.ts")], { cwd: root, encoding: "utf8", timeout: 15 * 60 * 1000, env: { ...process.env, NO_COLOR: "1" } });
      const out = `${r.stdout}${r.stderr}`;
      assert.is(r.status, 0, `the README snippet failed (exit ${r.status}):\n${out}`);
      assert.equal(r.stdout.match(/^step \d+: loss \d+\.\d{4}$/gm)?.length, 2, `expected 2 step lines:\n${out}`);
      const acc = /^sst2 accuracy: (\d+\.\d)% before, (\d+\.\d)% after 2 steps$/m.exec(r.stdout);
      assert.ok(acc !== null, `no accuracy line:\n${out}`);
      for (const v of [acc![1]!, acc![2]!]) assert.ok(Number(v) >= 0 && Number(v) <= 100, `accuracy ${v}% out of range`);
      console.log(`  ${acc![0]}`);
    });
  }
}

s.run();
