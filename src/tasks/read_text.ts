/**
 * Runtime-neutral file access for task data: Deno's file API, Node's fs (imported lazily so browser
 * bundles never load it) or fetch in a browser (paths are then URLs). Tests and browsers can pass their
 * own reader instead.
 */
import { TaskDataError } from "./errors.ts";
import { detectRuntime } from "../gpu/runtime.ts";

/** Reads a whole UTF-8 text file. */
export type ReadText = (path: string) => Promise<string>;

interface DenoFs {
  readTextFile(path: string): Promise<string>;
  stat(path: string): Promise<{ isDirectory: boolean; isFile: boolean }>;
}

function deno(): DenoFs {
  return (globalThis as unknown as { Deno: DenoFs }).Deno;
}

/** Reads `path` as UTF-8 on the current runtime; failures are TaskDataErrors naming the file. */
export async function readTextFile(path: string): Promise<string> {
  try {
    const rt = detectRuntime();
    if (rt === "deno") return await deno().readTextFile(path);
    if (rt === "node") {
      const fs = await import("node:fs/promises");
      return await fs.readFile(path, "utf8");
    }
    const res = await fetch(path);
    if (!res.ok) throw new Error(`HTTP ${res.status} ${res.statusText}`);
    return await res.text();
  } catch (e) {
    throw new TaskDataError(path, 0, `cannot read the file (${(e as Error).message})`, { cause: e });
  }
}

/** Whether `path` is an existing directory (always false in a browser, which cannot list files). */
export async function isDirectory(path: string): Promise<boolean> {
  try {
    const rt = detectRuntime();
    if (rt === "deno") return (await deno().stat(path)).isDirectory;
    if (rt === "node") {
      const fs = await import("node:fs/promises");
      return (await fs.stat(path)).isDirectory();
    }
  } catch {
    return false;
  }
  return false;
}

/** Whether `path` is an existing file (always false in a browser). */
export async function isFile(path: string): Promise<boolean> {
  try {
    const rt = detectRuntime();
    if (rt === "deno") return (await deno().stat(path)).isFile;
    if (rt === "node") {
      const fs = await import("node:fs/promises");
      return (await fs.stat(path)).isFile();
    }
  } catch {
    return false;
  }
  return false;
}
