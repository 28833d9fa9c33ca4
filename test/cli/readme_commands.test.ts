// The README's ways to start the CLI work as written on a fresh checkout (issue 14: `deno task mazo`
// needed a global Deno that a fresh machine lacks). Runs `npx deno task mazo --help` and
// `npx mazo --help` from the repo root, as the README documents them. Needs no GPU.
import { spawnSync } from "node:child_process";
import { readFileSync } from "node:fs";
import process from "node:process";
import { suite } from "uvu";
import * as assert from "uvu/assert";
import { detectRuntime } from "../../src/gpu/runtime.ts";

if (detectRuntime() === "deno") {
  console.log("SKIP README CLI commands on deno: they are run once, from the Node test run");
} else {
  const s = suite("README CLI commands");
  const readme = readFileSync("README.md", "utf8");
  for (const command of ["npx deno task mazo", "npx mazo"]) {
    s(`\`${command} --help\` (as the README writes it) lists the commands`, () => {
      assert.ok(readme.includes(`\`${command} <command>\``), `README no longer documents \`${command} <command>\``);
      const [bin, ...args] = command.split(" ");
      const r = spawnSync(bin!, [...args, "--help"], { encoding: "utf8", env: { ...process.env, NO_COLOR: "1" }, timeout: 120_000 });
      assert.is(r.status, 0, `${r.stdout}${r.stderr}`);
      assert.match(r.stdout, /usage: mazo <command>/);
      assert.match(r.stdout, /^ {2}train +/m);
    });
  }
  s.run();
}
