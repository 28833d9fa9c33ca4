#!/usr/bin/env node
// Node entry of the mazo CLI: runs the esbuild output of src/cli/main.ts (npm run build makes it).
import { existsSync } from "node:fs";
import { fileURLToPath } from "node:url";
const cli = fileURLToPath(new URL("../.build/node/cli.mjs", import.meta.url));
if (!existsSync(cli)) {
  console.error(`mazo: ${cli} is missing; run \`npm run build\` in ${fileURLToPath(new URL("..", import.meta.url))} first`);
  process.exit(2);
}
process.env.MAZO_CLI_ENTRY = "1";
process.env.XDG_RUNTIME_DIR ??= "/tmp";
await import(cli);
