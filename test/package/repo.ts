/** Paths the packaging tests share: the repo root (found from this file, in src or in .build/) and its tools. */
import { existsSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

/** The repository root: the nearest folder above this file holding package.json. */
export function repoRoot(): string {
  let dir = dirname(fileURLToPath(import.meta.url));
  while (!existsSync(join(dir, "package.json"))) {
    const up = dirname(dir);
    if (up === dir) throw new Error(`no package.json above ${fileURLToPath(import.meta.url)}`);
    dir = up;
  }
  return dir;
}

/** node_modules/.bin/<name> of the repo. */
export function tool(name: string): string {
  return join(repoRoot(), "node_modules/.bin", name);
}

/** Whether this test process runs on Deno (some packaging checks run once, from Node). */
export function onDeno(): boolean {
  return (globalThis as { Deno?: unknown }).Deno !== undefined;
}
