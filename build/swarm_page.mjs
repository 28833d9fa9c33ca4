// esbuild: the browser swarm worker (src/swarm/page_worker.ts -> .build/browser/swarm_worker.js, ESM),
// loaded by examples/swarm/index.html and test/swarm/browser_worker.test.ts. nkeys' lazy Node requires
// (crypto, buffer) stay external: they are never called in a browser.
// Usage: node build/swarm_page.mjs
import { build } from "esbuild";
import { statSync } from "node:fs";
import { join } from "node:path";

const root = new URL("..", import.meta.url).pathname;
const outfile = join(root, ".build/browser/swarm_worker.js");
await build({
  entryPoints: [join(root, "src/swarm/page_worker.ts")],
  outfile,
  bundle: true,
  platform: "neutral",
  format: "esm",
  target: "es2022",
  external: ["webgpu", "node:*", "stream", "crypto", "buffer"],
  mainFields: ["module", "main"],
  logLevel: "error",
});
console.log(`swarm page: src/swarm/page_worker.ts -> .build/browser/swarm_worker.js (${statSync(outfile).size} bytes)`);
