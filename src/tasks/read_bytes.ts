/** Runtime-neutral binary file access (Parquet): Deno, Node's fs (imported lazily) or fetch in a browser. */
import { TaskDataError } from "./errors.ts";
import { detectRuntime } from "../gpu/runtime.ts";

/** Reads a whole file as bytes. */
export type ReadBytes = (path: string) => Promise<Uint8Array>;

/** Reads `path` on the current runtime; failures are TaskDataErrors naming the file. */
export async function readBytesFile(path: string): Promise<Uint8Array> {
  try {
    const rt = detectRuntime();
    if (rt === "deno") return await (globalThis as unknown as { Deno: { readFile(p: string): Promise<Uint8Array> } }).Deno.readFile(path);
    if (rt === "node") {
      const fs = await import("node:fs/promises");
      const b = await fs.readFile(path);
      return new Uint8Array(b.buffer, b.byteOffset, b.byteLength);
    }
    const res = await fetch(path);
    if (!res.ok) throw new Error(`HTTP ${res.status} ${res.statusText}`);
    return new Uint8Array(await res.arrayBuffer());
  } catch (e) {
    throw new TaskDataError(path, 0, `cannot read the file (${(e as Error).message})`, { cause: e });
  }
}
