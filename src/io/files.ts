/**
 * File-system helpers for CLI and loaders (node:fs, which Deno provides too). Library code that must run
 * in the browser takes bytes or a `FileSource` instead.
 */
import { closeSync, existsSync, mkdirSync, openSync, readFileSync, readSync, renameSync, rmSync, statSync, writeSync } from "node:fs";
import { basename, dirname, join, resolve } from "node:path";
import process from "node:process";
import { fileURLToPath } from "node:url";
import { MazoFileError } from "./errors.ts";
import { midWriteFault } from "./fault_injection.ts";
import type { FileSource } from "../model/hf.ts";

/** The whole file. */
export function readBytes(path: string): Uint8Array {
  return new Uint8Array(readFileSync(path));
}

/** Bytes [offset, offset + length) of a file (throws if the file is shorter). */
export function readRange(path: string, offset: number, length: number): Uint8Array {
  const out = new Uint8Array(length);
  const fd = openSync(path, "r");
  try {
    let done = 0;
    while (done < length) {
      const n = readSync(fd, out, done, Math.min(length - done, 1 << 30), offset + done);
      if (n === 0) throw new RangeError(`${path}: wanted bytes ${offset}..${offset + length}, the file ends at ${offset + done}`);
      done += n;
    }
  } finally {
    closeSync(fd);
  }
  return out;
}

/** Size of a file in bytes. */
export function fileSize(path: string): number {
  return statSync(path).size;
}

/** True when `path` exists and is a folder. */
export function isDirectory(path: string): boolean {
  return existsSync(path) && statSync(path).isDirectory();
}

/** True when `path` exists and is a regular file. */
export function isFile(path: string): boolean {
  return existsSync(path) && statSync(path).isFile();
}

/**
 * Writes `parts` one after another to `path` atomically: into a temporary file in the same folder,
 * renamed over `path` once complete, so readers never see a partial file. Creates the folder.
 */
export function writeFileAtomic(path: string, parts: readonly Uint8Array[]): void {
  const dir = dirname(path);
  mkdirSync(dir, { recursive: true });
  const tmp = join(dir, `.${basename(path)}.tmp-${Date.now().toString(36)}-${Math.floor(Math.random() * 1e9).toString(36)}`);
  const fd = openSync(tmp, "w", 0o644);
  try {
    const total = parts.reduce((a, p) => a + p.byteLength, 0);
    const half = Math.floor(total / 2);
    let pos = 0, faulted = false;
    for (const p of parts) {
      let done = 0;
      while (done < p.byteLength) {
        if (!faulted && pos >= half) {
          faulted = true;
          midWriteFault(path); // halfway through the file: where MAZO_FAULT may kill the process
        }
        const n = writeSync(fd, p, done, faulted ? p.byteLength - done : Math.min(p.byteLength - done, half - pos));
        done += n;
        pos += n;
      }
    }
    if (!faulted) midWriteFault(path);
  } catch (e) {
    closeSync(fd);
    rmSync(tmp, { force: true });
    throw writeError(path, e);
  }
  closeSync(fd);
  renameSync(tmp, path);
}

/**
 * A write failure as a MazoFileError naming the file and, for a full disk, the disk: the file's
 * previous version (if any) is intact, since nothing was renamed over it.
 */
export function writeError(path: string, e: unknown): Error {
  const code = (e as { code?: string }).code;
  if (code === "ENOSPC") return new MazoFileError(path, `cannot be written: no space left on the device that holds ${dirname(resolve(path))} (ENOSPC); its previous version is intact, free space and resume`, code);
  if (code === "EDQUOT") return new MazoFileError(path, `cannot be written: disk quota exceeded (EDQUOT); its previous version is intact`, code);
  if (code === "EACCES" || code === "EROFS" || code === "EPERM") return new MazoFileError(path, `cannot be written (${code})`, code);
  return e instanceof Error ? e : new Error(String(e));
}

/** A FileSource over the files of folder `dir`. */
export function folderSource(dir: string): FileSource {
  return {
    label: dir,
    exists: (name) => Promise.resolve(isFile(join(dir, name))),
    size: (name) => Promise.resolve(fileSize(join(dir, name))),
    read: (name, offset, length) => Promise.resolve(readRange(join(dir, name), offset, length)),
  };
}

/**
 * The shared read-only data folder: $MAZO_DATA, else `<package root>/../shared/data` for the first
 * package root (a folder with package.json) above this module, then above the working directory, that
 * has one: the same rule as task data (src/tasks/data_dir.ts), so `npx mazo` works from any folder.
 * Falls back to ../shared/data of the working directory (named in the error of the first read).
 */
export function dataDir(): string {
  const env = process.env.MAZO_DATA;
  if (env !== undefined && env !== "") return env;
  const starts: string[] = [];
  if (import.meta.url.startsWith("file:")) starts.push(dirname(fileURLToPath(import.meta.url)));
  starts.push(process.cwd());
  for (const start of starts) {
    for (let dir = resolve(start); ; dir = dirname(dir)) {
      if (isFile(join(dir, "package.json")) && isDirectory(join(dir, "..", "shared", "data"))) return resolve(dir, "..", "shared", "data");
      if (dirname(dir) === dir) break;
    }
  }
  return resolve(process.cwd(), "../shared/data");
}
