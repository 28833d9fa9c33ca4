// Dev server for the browser demo: the repo root at / and the shared data directory (MAZO_DATA, else
// ../shared/data) at /data/, on 127.0.0.1. Build first (npm run build), then open the printed URL.
// Usage: node build/serve.mjs [port]   (default 8000; 0 picks a free one)
import { createReadStream, statSync } from "node:fs";
import { createServer } from "node:http";
import { extname, join, normalize, resolve, sep } from "node:path";
import { fileURLToPath } from "node:url";

// No trailing separator: fileFor's containment check appends one.
const root = resolve(fileURLToPath(new URL("..", import.meta.url)));
const data = resolve(process.env.MAZO_DATA || join(root, "../shared/data"));
const port = Number(process.argv[2] ?? 8000);
const TYPES = { ".html": "text/html; charset=utf-8", ".js": "text/javascript; charset=utf-8", ".mjs": "text/javascript; charset=utf-8", ".css": "text/css; charset=utf-8", ".json": "application/json", ".svg": "image/svg+xml", ".wasm": "application/wasm", ".txt": "text/plain; charset=utf-8" };

function fileFor(url) {
  let path;
  try {
    path = decodeURIComponent(url.split("?")[0]);
  } catch {
    return null;
  }
  const [base, rest] = path.startsWith("/data/") ? [data, path.slice(6)] : [root, path.slice(1)];
  const full = normalize(join(base, rest));
  return full.startsWith(normalize(base) + sep) ? full : null;
}

const server = createServer((req, res) => {
  if (req.url === "/") {
    res.writeHead(302, { location: "/examples/browser/index.html" }).end();
    return;
  }
  const file = fileFor(req.url ?? "/");
  let size = -1;
  try {
    if (file && statSync(file).isFile()) size = statSync(file).size;
  } catch { /* missing */ }
  if (!file || size < 0) {
    res.writeHead(file ? 404 : 403, { "content-type": "text/plain" }).end(`${req.url}: not found`);
    return;
  }
  const m = /^bytes=(\d+)-(\d*)$/.exec(req.headers.range ?? "");
  const start = m ? Number(m[1]) : 0, end = m && m[2] ? Math.min(Number(m[2]), size - 1) : size - 1;
  const headers = { "content-type": TYPES[extname(file)] ?? "application/octet-stream", "content-length": Math.max(0, end - start + 1), "accept-ranges": "bytes", "cache-control": "no-store" };
  if (m) headers["content-range"] = `bytes ${start}-${end}/${size}`;
  res.writeHead(m ? 206 : 200, headers);
  if (req.method === "HEAD" || size === 0) res.end();
  else createReadStream(file, { start, end }).pipe(res);
});
server.listen(port, "127.0.0.1", () => {
  const url = `http://127.0.0.1:${server.address().port}`;
  console.log(`serve: ${root} at ${url}/ and ${data} at ${url}/data/`);
  console.log(`serve: demo at ${url}/examples/browser/index.html, embed example at ${url}/examples/embed/index.html (Chromium on Linux: --enable-unsafe-webgpu)`);
});
