// Runs a benchmark: npm run bench -- <name> [--node] [args...]. Benchmarks live in bench/<name>.ts and
// run under Deno by default (navigator.gpu), or under Node from the esbuild output with --node.
import { spawnSync } from "node:child_process";
import { existsSync, readdirSync } from "node:fs";
import { join } from "node:path";

const root = new URL("..", import.meta.url).pathname;
const [name, ...rest] = process.argv.slice(2);
const names = existsSync(join(root, "bench")) ? readdirSync(join(root, "bench")).filter((f) => f.endsWith(".ts")).map((f) => f.slice(0, -3)) : [];
if (name === undefined || !names.includes(name)) {
  console.error(`usage: npm run bench -- <name> [--node] [args...]\n  got ${name === undefined ? "no name" : JSON.stringify(name)}; valid names: ${names.join(", ") || "(none yet)"}`);
  process.exit(2);
}
const env = { XDG_RUNTIME_DIR: "/tmp", ...process.env };
const node = rest.includes("--node");
const args = rest.filter((a) => a !== "--node");
let r = spawnSync(process.execPath, [join(root, "build/all.mjs"), `bench/${name}.ts`], { stdio: "inherit", cwd: root });
if (r.status !== 0) process.exit(r.status ?? 1);
r = node
  ? spawnSync(process.execPath, [join(root, ".build/node/bench", `${name}.mjs`), ...args], { stdio: "inherit", cwd: root, env })
  : spawnSync(join(root, "node_modules/.bin/deno"), ["run", "-A", join(root, "bench", `${name}.ts`), ...args], { stdio: "inherit", cwd: root, env });
process.exit(r.status ?? 1);
