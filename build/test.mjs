// Runs the whole test suite: type-checks (tsc, deno check), then every test/**/*.test.ts under Node
// (the esbuild output in .build/node/test) and under Deno (the TypeScript directly), and prints one
// closing line "tests: N passed, N failed, N skipped". Build first (npm test does).
//
// Usage: node build/test.mjs [filter ...] [--node] [--deno] [--no-typecheck]
//   filter: substrings of test paths (e.g. gpu/matmul); --node/--deno: only that runtime.
// Files under test/browser/ drive headless Chromium and run from Node only.
import { spawnSync } from "node:child_process";
import { readdirSync, statSync } from "node:fs";
import { join, relative } from "node:path";

const root = new URL("..", import.meta.url).pathname;
const args = process.argv.slice(2);
const filters = args.filter((a) => !a.startsWith("--"));
const onlyNode = args.includes("--node");
const onlyDeno = args.includes("--deno");
const typecheck = !args.includes("--no-typecheck");
const bin = (n) => join(root, "node_modules/.bin", n);

function walk(dir) {
  const out = [];
  for (const e of readdirSync(dir).sort()) {
    const p = join(dir, e);
    if (statSync(p).isDirectory()) out.push(...walk(p));
    else if (p.endsWith(".test.ts")) out.push(p);
  }
  return out;
}

const strip = (s) => s.replace(/\x1b\[[0-9;]*m/g, "");
let failedSteps = 0;

if (typecheck) {
  for (const [name, cmd, argv] of [["tsc", bin("tsc"), ["-p", "tsconfig.json"]], ["deno check", bin("deno"), ["check", "--quiet", "src", "test"]]]) {
    const t0 = Date.now();
    const r = spawnSync(cmd, argv, { cwd: root, stdio: "inherit" });
    console.log(`typecheck: ${name} ${r.status === 0 ? "ok" : "FAILED"} (${((Date.now() - t0) / 1000).toFixed(1)}s)`);
    if (r.status !== 0) failedSteps++;
  }
}

const files = walk(join(root, "test")).map((p) => relative(join(root, "test"), p)).filter((f) => filters.length === 0 || filters.some((x) => f.includes(x)));
const runtimes = [];
if (!onlyDeno) runtimes.push(["node", (f) => [process.execPath, ["--enable-source-maps", join(root, ".build/node/test", f.replace(/\.ts$/, ".mjs"))]]]);
if (!onlyNode) runtimes.push(["deno", (f) => [bin("deno"), ["run", "-A", "--quiet", join(root, "test", f)]]]);

let passed = 0, failed = 0, skipped = 0;
const failures = [];
for (const f of files) {
  for (const [rt, mk] of runtimes) {
    // Browser tests drive headless Chromium from Node (playwright-core); running them twice adds nothing.
    if (f.startsWith("browser/") && rt !== "node") continue;
    const [cmd, argv] = mk(f);
    const t0 = Date.now();
    const r = spawnSync(cmd, argv, { cwd: root, encoding: "utf8", timeout: 20 * 60 * 1000, env: { XDG_RUNTIME_DIR: "/tmp", ...process.env, FORCE_COLOR: "0", NO_COLOR: "1" }, maxBuffer: 64 << 20 });
    const out = strip((r.stdout ?? "") + (r.stderr ?? ""));
    // uvu prints one summary per batch of suites (suites declared after a top-level await form another
    // batch), so every summary counts.
    const sums = [...out.matchAll(/Total:\s+(\d+)\s+Passed:\s+(\d+)\s+Skipped:\s+(\d+)/g)].map((x) => x.slice(1).map(Number));
    const m = sums.length > 0 ? sums.reduce((a, b) => a.map((v, i) => v + b[i])) : null;
    const skips = (out.match(/^SKIP .*/gm) ?? []);
    const total = m ? m[0] : 0, ok = m ? m[1] : 0, sk = (m ? m[2] : 0) + skips.length;
    const bad = total - ok - (m ? m[2] : 0);
    const crashed = r.status !== 0 && bad === 0;
    passed += ok; skipped += sk; failed += bad + (crashed ? 1 : 0);
    const secs = ((Date.now() - t0) / 1000).toFixed(1);
    const status = r.status === 0 && bad === 0 ? "ok" : "FAIL";
    console.log(`${status.padEnd(4)} ${rt.padEnd(4)} ${f.padEnd(36)} ${ok}/${total} passed${sk ? `, ${sk} skipped` : ""} (${secs}s)`);
    for (const s of skips) console.log(`     ${s}`);
    if (status === "FAIL") failures.push(`----- ${rt} ${f} (exit ${r.status}${r.signal ? `, ${r.signal}` : ""}) -----\n${out}`);
  }
}
for (const f of failures) console.log(f);
if (failedSteps > 0) console.log(`typecheck: ${failedSteps} step(s) failed`);
console.log(`tests: ${passed} passed, ${failed + failedSteps} failed, ${skipped} skipped`);
process.exit(failed + failedSteps > 0 ? 1 : 0);
