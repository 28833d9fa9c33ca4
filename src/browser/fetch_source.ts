/**
 * Fetch-based file access for browsers, workers and extensions: whole files as bytes or text, a
 * task-data reader, and a FileSource over a folder URL (Hugging Face model folders) using HTTP Range
 * requests. Every failure names the URL and the HTTP status.
 */
import type { FileSource } from "../model/hf.ts";
import type { ReadText } from "../tasks/read_text.ts";

/** The fetch function to use (tests and extensions may pass their own). */
export type FetchFn = (input: string, init?: RequestInit) => Promise<Response>;

function defaultFetch(): FetchFn {
  return (input, init) => fetch(input, init);
}

async function checked(url: string, res: Response): Promise<Response> {
  if (!res.ok) throw new Error(`fetch ${url}: HTTP ${res.status} ${res.statusText}`.trimEnd());
  return res;
}

/** The whole body of `url` as bytes. */
export async function fetchBytes(url: string, fetchFn: FetchFn = defaultFetch()): Promise<Uint8Array> {
  const res = await checked(url, await fetchFn(url));
  return new Uint8Array(await res.arrayBuffer());
}

/** The whole body of `url` as UTF-8 text. */
export async function fetchText(url: string, fetchFn: FetchFn = defaultFetch()): Promise<string> {
  const res = await checked(url, await fetchFn(url));
  return await res.text();
}

/** A task-data reader (tasks' ReadText) that fetches every path as a URL. */
export function fetchReadText(fetchFn: FetchFn = defaultFetch()): ReadText {
  return (path) => fetchText(path, fetchFn);
}

function join(base: string, name: string): string {
  return `${base.replace(/\/+$/, "")}/${name.replace(/^\/+/, "")}`;
}

/**
 * A FileSource over the folder at `baseUrl` (absolute, or relative to the page): HEAD for existence and
 * size, Range requests for reads (servers that ignore Range get the body sliced).
 */
export function urlFolderSource(baseUrl: string, fetchFn: FetchFn = defaultFetch()): FileSource {
  const sizes = new Map<string, number>();
  const head = async (name: string): Promise<Response> => await fetchFn(join(baseUrl, name), { method: "HEAD" });
  return {
    label: baseUrl,
    async exists(name) {
      return (await head(name)).ok;
    },
    async size(name) {
      const known = sizes.get(name);
      if (known !== undefined) return known;
      const url = join(baseUrl, name);
      const res = await checked(url, await head(name));
      const len = Number(res.headers.get("content-length") ?? NaN);
      if (!Number.isInteger(len) || len < 0) throw new Error(`fetch ${url}: no usable Content-Length (${res.headers.get("content-length")})`);
      sizes.set(name, len);
      return len;
    },
    async read(name, offset, length) {
      const url = join(baseUrl, name);
      if (length === 0) return new Uint8Array(0);
      const res = await checked(url, await fetchFn(url, { headers: { Range: `bytes=${offset}-${offset + length - 1}` } }));
      const body = new Uint8Array(await res.arrayBuffer());
      const part = res.status === 206 ? body : body.subarray(offset, offset + length);
      if (part.length !== length) throw new RangeError(`fetch ${url}: asked for ${length} bytes at ${offset}, got ${part.length}`);
      return part;
    },
  };
}
