/**
 * Finds a WebGPU adapter on Deno, Node or the browser. Node uses the `webgpu` package (Dawn) and tries,
 * in order, Vulkan through Chromium's SwiftShader ICD, Vulkan through the system ICD (lavapipe), and
 * OpenGL ES through EGL in compatibility mode; Deno and the browser use `navigator.gpu`.
 */
import type { Runtime } from "./runtime.ts";

/** How to reach the GPU: `auto` tries every path for the runtime in order. */
export type BackendChoice = "auto" | "navigator" | "vulkan" | "swiftshader" | "opengles";

/** The backend names a user may pass, for error messages and CLI help. */
export const BACKEND_CHOICES: readonly BackendChoice[] = ["auto", "navigator", "vulkan", "swiftshader", "opengles"];

/** An adapter found, with the path that found it. */
export interface FoundAdapter {
  readonly adapter: GPUAdapter;
  /** Human-readable path, e.g. "node/dawn vulkan (SwiftShader ICD)". */
  readonly path: string;
  readonly featureLevel: "core" | "compatibility";
  /**
   * The GPU entry object the adapter came from. On Node, Dawn's instance lives only as long as this is
   * referenced: the context holds it until it is destroyed, then lets it go so the process can exit.
   */
  readonly gpu: GPU;
}

const SWIFTSHADER_ICD = "/usr/lib/chromium/vk_swiftshader_icd.json";

interface NodeWebgpuModule {
  create(options: string[]): GPU;
  globals: Record<string, unknown>;
}

interface Attempt {
  readonly path: string;
  readonly error: string;
}

/** Finds an adapter or throws an Error naming the runtime, every path tried and how to fix it. */
export async function findAdapter(runtime: Runtime, choice: BackendChoice): Promise<FoundAdapter> {
  const attempts: Attempt[] = [];
  if (runtime === "node") {
    const found = await findNodeAdapter(choice, attempts);
    if (found !== undefined) return found;
  } else {
    if (choice !== "auto" && choice !== "navigator") {
      throw new RangeError(`--backend ${choice} is not available on ${runtime}: ${runtime} reaches WebGPU only through navigator.gpu (use auto or navigator)`);
    }
    // Mesa's software drivers complain on stderr without XDG_RUNTIME_DIR; give them one on Deno.
    const denoEnv = (globalThis as { Deno?: { env: { get(k: string): string | undefined; set(k: string, v: string): void } } }).Deno?.env;
    try {
      if (denoEnv !== undefined && denoEnv.get("XDG_RUNTIME_DIR") === undefined) denoEnv.set("XDG_RUNTIME_DIR", "/tmp");
    } catch {
      // Without --allow-env the warning stays; harmless.
    }
    const gpu = (globalThis.navigator as Navigator | undefined)?.gpu;
    if (gpu === undefined) {
      attempts.push({ path: "navigator.gpu", error: "navigator.gpu is undefined (WebGPU not exposed by this runtime)" });
    } else {
      const adapter = await gpu.requestAdapter({ powerPreference: "high-performance" });
      if (adapter !== null) return { adapter, path: `${runtime} navigator.gpu`, featureLevel: "core", gpu };
      attempts.push({ path: "navigator.gpu", error: "requestAdapter() returned null" });
    }
  }
  throw new Error(noAdapterMessage(runtime, attempts));
}

function noAdapterMessage(runtime: Runtime, attempts: readonly Attempt[]): string {
  const tried = attempts.map((a) => `  - ${a.path}: ${a.error}`).join("\n");
  const fix = runtime === "browser"
    ? "Use a browser with WebGPU enabled (Chromium: --enable-unsafe-webgpu on Linux)."
    : "Install a software Vulkan driver (Debian: `apt-get install mesa-vulkan-drivers libvulkan1`, or `chromium` for SwiftShader) " +
      "or Mesa's OpenGL ES (`libegl-mesa0 libgles2`), or run on a machine with a GPU.";
  return `No WebGPU adapter on ${runtime}. Tried:\n${tried}\n${fix}`;
}

async function findNodeAdapter(choice: BackendChoice, attempts: Attempt[]): Promise<FoundAdapter | undefined> {
  if (choice === "navigator") {
    throw new RangeError("--backend navigator is not available on node: use auto, vulkan, swiftshader or opengles");
  }
  const env = (globalThis as unknown as { process: { env: Record<string, string | undefined> } }).process.env;
  let mod: NodeWebgpuModule;
  try {
    const spec = "webgpu";
    mod = (await import(spec)) as NodeWebgpuModule;
  } catch (e) {
    attempts.push({ path: "node/dawn", error: `cannot load the 'webgpu' npm package (${(e as Error).message}); run npm ci` });
    return undefined;
  }
  Object.assign(globalThis, mod.globals);
  env.XDG_RUNTIME_DIR ??= "/tmp";

  const { existsSync } = await import("node:fs");
  const plans: { path: string; options: string[]; featureLevel: "core" | "compatibility"; icd?: string }[] = [];
  if ((choice === "auto" || choice === "swiftshader") && env.VK_ICD_FILENAMES === undefined && existsSync(SWIFTSHADER_ICD)) {
    plans.push({ path: "node/dawn vulkan (SwiftShader ICD)", options: ["backend=vulkan"], featureLevel: "core", icd: SWIFTSHADER_ICD });
  }
  if (choice === "auto" || choice === "vulkan") {
    plans.push({ path: "node/dawn vulkan", options: ["backend=vulkan"], featureLevel: "core" });
  }
  if (choice === "auto" || choice === "opengles") {
    plans.push({ path: "node/dawn opengles (compatibility)", options: ["backend=opengles"], featureLevel: "compatibility" });
  }
  if (choice === "swiftshader" && plans.length === 0) {
    attempts.push({ path: "node/dawn vulkan (SwiftShader ICD)", error: `${SWIFTSHADER_ICD} not found (Debian package chromium provides it)` });
  }
  for (const plan of plans) {
    const savedIcd = env.VK_ICD_FILENAMES;
    if (plan.icd !== undefined) env.VK_ICD_FILENAMES = plan.icd;
    if (plan.options[0] === "backend=opengles") env.EGL_PLATFORM ??= "surfaceless";
    try {
      const gpu = mod.create(plan.options);
      const adapter = await gpu.requestAdapter({ featureLevel: plan.featureLevel, powerPreference: "high-performance" } as GPURequestAdapterOptions);
      if (adapter !== null) return { adapter, path: plan.path, featureLevel: plan.featureLevel, gpu };
      attempts.push({ path: plan.path, error: "requestAdapter() returned null" });
    } catch (e) {
      attempts.push({ path: plan.path, error: (e as Error).message });
    }
    if (plan.icd !== undefined) {
      if (savedIcd === undefined) delete env.VK_ICD_FILENAMES;
      else env.VK_ICD_FILENAMES = savedIcd;
    }
  }
  return undefined;
}
