/**
 * Where a file or folder is, for the high-level loaders (loadModel, loadTokenizer, loadAdapter): a path
 * on Deno and Node (read with node:fs, imported lazily so the browser bundle never loads it) or a URL
 * (http:, https:, blob:, data:, or in a browser any string, relative to the page), read with fetch.
 * Folders become a `FileSource` (src/model/hf.ts); URLs use HTTP Range requests (src/browser/fetch_source.ts).
 */
import { type FetchFn, fetchBytes, urlFolderSource } from "../browser/fetch_source.ts";
import { detectRuntime } from "../gpu/runtime.ts";
import type { FileSource } from "../model/hf.ts";

/** A file or folder: a path (Deno, Node), a URL string, or a URL. */
export type Location = string | URL;

/** Options of the loaders that read a {@link Location}. */
export interface LocationOptions {
  /** The fetch used for URLs (default: the global fetch). */
  readonly fetch?: FetchFn;
}

/** A location resolved to either a file-system path or a URL. */
export type ResolvedLocation = { readonly kind: "path"; readonly path: string } | { readonly kind: "url"; readonly url: string };

type NodeFs = typeof import("node:fs/promises");

async function nodeFs(): Promise<NodeFs> {
  return await import("node:fs/promises");
}

/**
 * Whether `loc` is read from the file system (a path, or a file: URL, on Deno and Node) or fetched (any
 * other URL, and every string in a browser).
 */
export function resolveLocation(loc: Location): ResolvedLocation {
  const rt = detectRuntime();
  const s = loc instanceof URL ? loc.href : loc;
  if (typeof s !== "string" || s === "") throw new TypeError(`location: expected a non-empty path or URL, got ${JSON.stringify(loc)}`);
  if (rt !== "browser" && s.startsWith("file:")) return { kind: "path", path: decodeURIComponent(new URL(s).pathname) };
  if (rt === "browser" || /^[a-z][a-z0-9+.-]*:\/\//i.test(s) || /^(blob|data):/i.test(s)) return { kind: "url", url: s };
  return { kind: "path", path: s };
}

/** The last "/"-separated segment of a path or URL (query and trailing slashes dropped). */
export function baseName(s: string): string {
  const t = s.replace(/[?#].*$/, "").replace(/\/+$/, "");
  return t.slice(t.lastIndexOf("/") + 1);
}

/** The folder part of a path or URL ("." when there is none). */
export function parentOf(s: string): string {
  const t = s.replace(/[?#].*$/, "").replace(/\/+$/, "");
  const i = t.lastIndexOf("/");
  return i < 0 ? "." : i === 0 ? "/" : t.slice(0, i);
}

/** Whether `r` is an existing folder (URLs: when they end in "/", as servers cannot list folders). */
export async function isFolder(r: ResolvedLocation): Promise<boolean> {
  if (r.kind === "url") return r.url.replace(/[?#].*$/, "").endsWith("/");
  try {
    return (await (await nodeFs()).stat(r.path)).isDirectory();
  } catch {
    return false;
  }
}

/** The whole file at `r` as bytes; errors name the path or URL. */
export async function readLocationBytes(r: ResolvedLocation, o: LocationOptions = {}): Promise<Uint8Array> {
  if (r.kind === "url") return await fetchBytes(r.url, o.fetch);
  try {
    return new Uint8Array(await (await nodeFs()).readFile(r.path));
  } catch (e) {
    throw new RangeError(`${r.path}: cannot read the file (${(e as Error).message})`, { cause: e });
  }
}

/** The file names in folder `r` (paths only: a URL folder cannot be listed, so this returns null). */
export async function listFolder(r: ResolvedLocation): Promise<string[] | null> {
  if (r.kind === "url") return null;
  return (await (await nodeFs()).readdir(r.path)).sort();
}

/** A FileSource over the folder at `r`: node:fs reads of byte ranges, or HTTP Range requests. */
export function folderSourceOf(r: ResolvedLocation, o: LocationOptions = {}): FileSource {
  if (r.kind === "url") return urlFolderSource(r.url, o.fetch);
  const dir = r.path.replace(/\/+$/, "") || "/";
  const at = (name: string) => `${dir}/${name}`;
  return {
    label: dir,
    async exists(name) {
      try {
        return (await (await nodeFs()).stat(at(name))).isFile();
      } catch {
        return false;
      }
    },
    async size(name) {
      return (await (await nodeFs()).stat(at(name))).size;
    },
    async read(name, offset, length) {
      const fh = await (await nodeFs()).open(at(name), "r");
      try {
        const out = new Uint8Array(length);
        let done = 0;
        while (done < length) {
          const { bytesRead } = await fh.read(out, done, Math.min(length - done, 1 << 30), offset + done);
          if (bytesRead === 0) throw new RangeError(`${at(name)}: wanted bytes ${offset}..${offset + length}, the file ends at ${offset + done}`);
          done += bytesRead;
        }
        return out;
      } finally {
        await fh.close();
      }
    },
  };
}
