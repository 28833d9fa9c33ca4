/**
 * Where the shared task data lives. In order: an explicit directory, the MAZO_DATA environment
 * variable, then `<repo root>/../shared/data`, where the repo root is the nearest ancestor holding a
 * package.json, searched upwards from this module's file (works for the TypeScript sources under Deno
 * and for bundles under .build/ or dist/ under Node) and then from the working directory.
 */
import { isDirectory, isFile } from "./read_text.ts";
import { detectRuntime } from "../gpu/runtime.ts";

/** The environment variable that overrides the data directory. */
export const DATA_ENV = "MAZO_DATA";

/** Joins path segments with "/" (also fine for URLs), dropping duplicate separators. */
export function joinPath(base: string, ...parts: readonly string[]): string {
  let out = base;
  for (const p of parts) out = `${out.replace(/\/+$/, "")}/${p.replace(/^\/+/, "")}`;
  return out;
}

/** The parent of a "/"-separated path ("/" stays "/"). */
function parentOf(path: string): string {
  const trimmed = path.replace(/\/+$/, "");
  const i = trimmed.lastIndexOf("/");
  return i <= 0 ? "/" : trimmed.slice(0, i);
}

/** Resolves "." and ".." segments of an absolute "/"-separated path. */
function normalize(path: string): string {
  const out: string[] = [];
  for (const seg of path.split("/")) {
    if (seg === "" || seg === ".") continue;
    if (seg === "..") out.pop();
    else out.push(seg);
  }
  return `/${out.join("/")}`;
}

/** The value of MAZO_DATA, or undefined (also when the runtime denies environment access). */
export function dataDirFromEnv(): string | undefined {
  try {
    const g = globalThis as { Deno?: { env: { get(k: string): string | undefined } }; process?: { env?: Record<string, string | undefined> } };
    const v = detectRuntime() === "deno" ? g.Deno?.env.get(DATA_ENV) : g.process?.env?.[DATA_ENV];
    return v === undefined || v === "" ? undefined : v;
  } catch {
    return undefined;
  }
}

function cwd(): string | undefined {
  try {
    const g = globalThis as { Deno?: { cwd(): string }; process?: { cwd?(): string } };
    return detectRuntime() === "deno" ? g.Deno?.cwd() : g.process?.cwd?.();
  } catch {
    return undefined;
  }
}

function moduleDir(): string | undefined {
  const url = import.meta.url;
  if (!url.startsWith("file:")) return undefined;
  return parentOf(decodeURIComponent(new URL(url).pathname));
}

/** The candidate default directories, nearest first (`<ancestor with package.json>/../shared/data`). */
async function defaultCandidates(): Promise<string[]> {
  const out: string[] = [];
  for (const start of [moduleDir(), cwd()]) {
    if (start === undefined) continue;
    let dir = normalize(start);
    for (;;) {
      if (await isFile(joinPath(dir, "package.json"))) {
        const c = normalize(joinPath(dir, "..", "shared", "data"));
        if (!out.includes(c)) out.push(c);
      }
      if (dir === "/") break;
      dir = parentOf(dir);
    }
  }
  return out;
}

/**
 * The data directory: `explicit` if given (not checked: the first read names any missing file), else
 * MAZO_DATA, else the first existing default candidate. Throws an Error listing what was tried.
 */
export async function resolveDataDir(explicit?: string): Promise<string> {
  if (explicit !== undefined && explicit !== "") return explicit;
  const env = dataDirFromEnv();
  if (env !== undefined) return env;
  const tried = await defaultCandidates();
  for (const c of tried) if (await isDirectory(c)) return c;
  throw new Error(
    `task data directory not found: tried ${tried.length > 0 ? tried.join(", ") : "nothing (no file: module URL or working directory)"}; ` +
      `pass a data directory or set ${DATA_ENV}`,
  );
}
