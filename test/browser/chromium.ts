/**
 * Headless Chromium for the browser tests: launch flags that give a WebGPU adapter on this machine
 * (SwiftShader), the repo root, and the skip rules: without /usr/bin/chromium a test file prints a SKIP
 * line and runs nothing; when Chromium runs but exposes no adapter, it skips too, unless
 * MAZO_REQUIRE_GPU=1, where that fails.
 */
import { existsSync } from "node:fs";
import { join } from "node:path";
import process from "node:process";
import { type Browser, type BrowserContext, chromium, type Page } from "playwright-core";
import { repoRoot } from "../package/repo.ts";

/** Debian's chromium. */
export const CHROMIUM_PATH = process.env.MAZO_CHROMIUM ?? "/usr/bin/chromium";

/**
 * Flags for headless WebGPU here: WebGPU is behind --enable-unsafe-webgpu on Linux (without it
 * requestAdapter() returns null); Vulkan lets Dawn use a real GPU where there is one, and with none it
 * falls back to SwiftShader (Vulkan on the CPU), as on this machine. The rest keep a root container
 * quiet and offline.
 */
export const CHROMIUM_ARGS: readonly string[] = [
  "--enable-unsafe-webgpu",
  "--enable-features=Vulkan",
  "--no-sandbox",
  "--disable-gpu-sandbox",
  "--disable-background-networking",
  "--disable-component-update",
  "--disable-sync",
  "--no-first-run",
  "--disable-dev-shm-usage",
];

/** The repo root (test/package/repo.ts: the nearest ancestor of this file, or of its bundle under .build/, holding package.json). */
export { repoRoot };

/** The shared data directory (MAZO_DATA, else <repo>/../shared/data). */
export function sharedDataDir(): string {
  return process.env.MAZO_DATA || join(repoRoot(), "..", "shared", "data");
}

/** Whether Chromium is installed; prints the SKIP line for `name` when it is not. */
export function chromiumOrSkip(name: string): boolean {
  if (existsSync(CHROMIUM_PATH)) return true;
  console.log(`SKIP browser suite ${name}: ${CHROMIUM_PATH} not found (Debian: apt-get install chromium)`);
  return false;
}

/** Launches headless Chromium with CHROMIUM_ARGS (plus `extra`). */
export async function launchChromium(extra: readonly string[] = []): Promise<Browser> {
  return await chromium.launch({ executablePath: CHROMIUM_PATH, args: [...CHROMIUM_ARGS, ...extra], headless: true, timeout: 60_000 });
}

/** A persistent headless context with an unpacked extension loaded (extensions need one). */
export async function launchWithExtension(extensionDir: string, userDataDir: string): Promise<BrowserContext> {
  return await chromium.launchPersistentContext(userDataDir, {
    executablePath: CHROMIUM_PATH,
    headless: true,
    timeout: 60_000,
    args: [...CHROMIUM_ARGS, `--disable-extensions-except=${extensionDir}`, `--load-extension=${extensionDir}`],
  });
}

/** The page's WebGPU adapter description, or the reason there is none. */
export async function pageAdapter(page: Page): Promise<{ ok: true; description: string } | { ok: false; reason: string }> {
  return await page.evaluate(async () => {
    const gpu = (navigator as Navigator & { gpu?: GPU }).gpu;
    if (gpu === undefined) return { ok: false as const, reason: `navigator.gpu is undefined (secure context: ${isSecureContext})` };
    const a = await gpu.requestAdapter();
    if (a === null) return { ok: false as const, reason: "requestAdapter() returned null" };
    return { ok: true as const, description: `${a.info.vendor} ${a.info.architecture} ${a.info.description}`.trim() };
  });
}

/**
 * Whether `page` has a WebGPU adapter. Without one: throws when MAZO_REQUIRE_GPU=1, else prints the
 * SKIP line for `name` and returns false.
 */
export async function adapterOrSkip(page: Page, name: string): Promise<boolean> {
  const a = await pageAdapter(page);
  if (a.ok) {
    if (process.env.MAZO_TEST_VERBOSE === "1") console.log(`browser: ${name} on ${a.description}`);
    return true;
  }
  if (process.env.MAZO_REQUIRE_GPU === "1") throw new Error(`browser suite ${name}: Chromium has no WebGPU adapter and MAZO_REQUIRE_GPU=1: ${a.reason}`);
  console.log(`SKIP browser suite ${name}: Chromium has no WebGPU adapter: ${a.reason}`);
  return false;
}
