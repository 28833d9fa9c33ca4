// build/serve.mjs, the README's way to open the demo page, serves as documented (issue 14: its root
// ended in "/", so the containment check refused every repo file with 403 and nothing caught it; the
// other browser tests use test/browser/server.ts). Runs the script as written, on a free port.
import { spawn } from "node:child_process";
import { get } from "node:http";
import { join } from "node:path";
import process from "node:process";
import { suite } from "uvu";
import * as assert from "uvu/assert";

const s = suite("node build/serve.mjs");
s("serves the demo page, the embed page and /data/, refuses paths outside, honours Range", async () => {
  const child = spawn(process.execPath, [join(process.cwd(), "build/serve.mjs"), "0"], { stdio: ["ignore", "pipe", "pipe"] });
  try {
    const base = await new Promise<string>((res, rej) => {
      let out = "";
      child.stdout.on("data", (d: Buffer) => {
        out += d.toString();
        const m = /at (http:\/\/127\.0\.0\.1:\d+)\//.exec(out);
        if (m) res(m[1]!);
      });
      child.on("exit", (c) => rej(new Error(`serve.mjs exited with ${c}: ${out}`)));
      setTimeout(() => rej(new Error(`serve.mjs printed no URL: ${out}`)), 20_000);
    });
    const page = await fetch(`${base}/examples/browser/index.html`);
    assert.is(page.status, 200, "the demo page");
    assert.match(await page.text(), "<html");
    assert.is((await fetch(`${base}/examples/embed/index.html`)).status, 200, "the embed page");
    const tok = await fetch(`${base}/data/stories260K/tok512.bin`, { headers: { range: "bytes=0-3" } });
    assert.is(tok.status, 206);
    assert.is((await tok.arrayBuffer()).byteLength, 4);
    // fetch() would normalise the dots away; a raw request sends them as an attacker would.
    const raw = await new Promise<number>((res, rej) => {
      get({ host: "127.0.0.1", port: Number(new URL(base).port), path: "/../../etc/passwd" }, (r) => {
        r.resume();
        res(r.statusCode ?? 0);
      }).on("error", rej);
    });
    assert.is(raw, 403, "no path outside the root");
    assert.is((await fetch(`${base}/no/such/file.js`)).status, 404);
    assert.is((await fetch(`${base}/`, { redirect: "manual" })).status, 302);
  } finally {
    child.kill();
  }
});
s.run();
