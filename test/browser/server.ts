/**
 * A bounded static file server for the browser tests: the repo root at /, the shared data directory at
 * /data/, on 127.0.0.1 with a random port, plus optional in-memory files at given paths (the README's
 * embed snippet). GET and HEAD, single byte ranges (for urlFolderSource), no directory listings,
 * nothing outside the two roots. build/serve.mjs is the same for people.
 */
import { Buffer } from "node:buffer";
import { createReadStream, statSync } from "node:fs";
import { createServer, type Server } from "node:http";
import { extname, join, normalize, sep } from "node:path";

const TYPES: Record<string, string> = {
  ".html": "text/html; charset=utf-8",
  ".js": "text/javascript; charset=utf-8",
  ".mjs": "text/javascript; charset=utf-8",
  ".css": "text/css; charset=utf-8",
  ".json": "application/json",
  ".svg": "image/svg+xml",
  ".wasm": "application/wasm",
  ".txt": "text/plain; charset=utf-8",
};

/** A running server; close() stops it. */
export interface TestServer {
  readonly origin: string;
  close(): Promise<void>;
}

/** Maps a URL path to a file under `root` or `dataDir` (for /data/...), or null when outside them. */
export function resolvePath(urlPath: string, root: string, dataDir: string): string | null {
  let path: string;
  try {
    path = decodeURIComponent(urlPath.split("?")[0]!);
  } catch {
    return null;
  }
  const [base, rest] = path.startsWith("/data/") ? [dataDir, path.slice("/data/".length)] : [root, path.slice(1)];
  const full = normalize(join(base, rest));
  return full === normalize(base) || full.startsWith(normalize(base) + sep) ? full : null;
}

/** Serves `root`, `dataDir` and `extra` (URL path -> text, served before the roots) on 127.0.0.1 until close(). */
export async function startServer(root: string, dataDir: string, extra: Readonly<Record<string, string>> = {}): Promise<TestServer> {
  const server: Server = createServer((req, res) => {
    const virtual = extra[(req.url ?? "/").split("?")[0]!];
    if (virtual !== undefined && (req.method === "GET" || req.method === "HEAD")) {
      const body = Buffer.from(virtual, "utf8");
      res.writeHead(200, { "content-type": TYPES[extname(req.url!.split("?")[0]!)] ?? "text/plain; charset=utf-8", "content-length": body.length, "cache-control": "no-store" });
      res.end(req.method === "HEAD" ? undefined : body);
      return;
    }
    const file = resolvePath(req.url ?? "/", root, dataDir);
    let size = -1;
    try {
      if (file !== null && statSync(file).isFile()) size = statSync(file).size;
    } catch {
      size = -1;
    }
    if (file === null || size < 0 || (req.method !== "GET" && req.method !== "HEAD")) {
      res.writeHead(file === null ? 403 : size < 0 ? 404 : 405, { "content-type": "text/plain" });
      res.end(`${req.method} ${req.url}: not served`);
      return;
    }
    const headers: Record<string, string | number> = { "content-type": TYPES[extname(file)] ?? "application/octet-stream", "accept-ranges": "bytes", "cache-control": "no-store" };
    const m = /^bytes=(\d+)-(\d*)$/.exec(req.headers.range ?? "");
    let start = 0, end = size - 1, status = 200;
    if (m) {
      start = Number(m[1]);
      end = m[2] ? Math.min(Number(m[2]), size - 1) : size - 1;
      if (start > end) {
        res.writeHead(416, { "content-range": `bytes */${size}` });
        res.end();
        return;
      }
      status = 206;
      headers["content-range"] = `bytes ${start}-${end}/${size}`;
    }
    headers["content-length"] = end - start + 1;
    res.writeHead(status, headers);
    if (req.method === "HEAD" || size === 0) res.end();
    else createReadStream(file, { start, end }).pipe(res);
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const addr = server.address();
  const port = typeof addr === "object" && addr !== null ? addr.port : 0;
  return {
    origin: `http://127.0.0.1:${port}`,
    close: () => new Promise<void>((resolve) => {
      server.closeAllConnections();
      server.close(() => resolve());
    }),
  };
}
