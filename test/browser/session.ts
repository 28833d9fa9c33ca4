/**
 * Opening a page for a browser suite: the launch, adapter check and clean-up every browser test file
 * repeats. openServedPage() serves the repo and the shared data (server.ts), launches Chromium and
 * opens the demo page; pageWithAdapter() is the part shared with other launches (the extension's
 * persistent context). Both return null after printing a SKIP line when there is no Chromium or no
 * adapter, having closed what they opened.
 */
import type { Browser, Page } from "playwright-core";
import { adapterOrSkip, chromiumOrSkip, launchChromium, repoRoot, sharedDataDir } from "./chromium.ts";
import { startServer, type TestServer } from "./server.ts";

/** A page on the test server with a WebGPU adapter; close() stops Chromium and the server. */
export interface ServedPage {
  readonly page: Page;
  /** http://127.0.0.1:<port>, serving the repo at / and the shared data at /data/. */
  readonly origin: string;
  /** Messages of the page's uncaught errors ("pageerror"), collected from the first load on. */
  readonly errors: string[];
  close(): Promise<void>;
}

/**
 * Runs `open` and checks the adapter of the page it returns: gives that result back when the page has
 * one; otherwise (SKIP printed by adapterOrSkip) calls `close` and returns null. When `open` or the
 * check throws (MAZO_REQUIRE_GPU=1 without an adapter), calls `close` and rethrows.
 */
export async function pageWithAdapter<T extends { readonly page: Page }>(name: string, close: () => Promise<void>, open: () => Promise<T>): Promise<T | null> {
  try {
    const opened = await open();
    if (await adapterOrSkip(opened.page, name)) return opened;
  } catch (e) {
    await close();
    throw e;
  }
  await close();
  return null;
}

/**
 * Serves the repo root and the shared data (and `extra`, in-memory files by URL path), launches
 * headless Chromium and opens /examples/browser/index.html in a new page; null (with a SKIP line)
 * without Chromium or an adapter.
 */
export async function openServedPage(name: string, extra: Readonly<Record<string, string>> = {}): Promise<ServedPage | null> {
  if (!chromiumOrSkip(name)) return null;
  const server: TestServer = await startServer(repoRoot(), sharedDataDir(), extra);
  const browser: Browser = await launchChromium();
  const close = async () => {
    await browser.close();
    await server.close();
  };
  return await pageWithAdapter(name, close, async () => {
    const page = await browser.newPage();
    const errors: string[] = [];
    page.on("pageerror", (e) => errors.push(e.message));
    await page.goto(`${server.origin}/examples/browser/index.html`);
    return { page, origin: server.origin, errors, close };
  });
}
