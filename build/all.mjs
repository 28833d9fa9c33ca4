// The whole build: embed WGSL, compile AssemblyScript, bundle with esbuild, write the bundle's type
// declarations, fill the browser extension's vendor/ folder.
// Usage: node build/all.mjs [--strict] [filter ...]
//   --strict: any failing step or module fails the build (npm test and CI use it).
//   filter:   only bundle test files whose path contains one of these substrings.
import { spawnSync } from "node:child_process";
const root = new URL("..", import.meta.url).pathname;
const args = process.argv.slice(2);
let failed = 0;
for (const step of ["gen-shaders.mjs", "asc.mjs", "bundle.mjs", "types.mjs", "extension.mjs"]) {
  const r = spawnSync(process.execPath, [`${root}build/${step}`, ...args], { stdio: "inherit", cwd: root });
  if (r.status !== 0) {
    failed++;
    console.error(`build: ${step} failed (exit ${r.status})`);
  }
}
if (failed > 0 && args.includes("--strict")) process.exit(1);
