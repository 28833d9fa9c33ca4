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

/**
 * Finds an adapter or throws an Error naming the runtime, every path tried and how to fix it. With
 * `auto`, the environment variable MAZO_BACKEND (a BackendChoice) picks the path instead.
 */
export async function findAdapter(runtime: Runtime, choice: BackendChoice): Promise<FoundAdapter> {
  const attempts: Attempt[] = [];
  const fromEnv = (globalThis as { process?: { env?: Record<string, string | undefined> } }).process?.env?.MAZO_BACKEND;
  if (choice === "auto" && fromEnv !== undefined && fromEnv !== "") {
    if (!(BACKEND_CHOICES as readonly string[]).includes(fromEnv)) {
      throw new RangeError(`MAZO_BACKEND=${fromEnv} is not a backend; valid: ${BACKEND_CHOICES.join(", ")}`);
    }
    choice = fromEnv as BackendChoice;
  }
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

/** False on Linux machines with no GPU device node (/dev/dri/renderD*, /dev/nvidia*); true elsewhere. */
async function mayHaveGpu(): Promise<boolean> {
  const proc = (globalThis as { process?: { platform?: string } }).process;
  if (proc?.platform !== "linux") return true;
  const { existsSync, readdirSync } = await import("node:fs");
  const dri = existsSync("/dev/dri") && readdirSync("/dev/dri").some((f) => f.startsWith("renderD"));
  return dri || existsSync("/dev/nvidia0") || existsSync("/dev/nvidiactl");
}

/** Software rasterizers, by name or by the adapter's own fallback flag. */
export function isSoftware(adapter: GPUAdapter): boolean {
  const i = adapter.info;
  return (i as { isFallbackAdapter?: boolean }).isFallbackAdapter === true ||
    /llvmpipe|lavapipe|swiftshader|software|softpipe/i.test(`${i.vendor} ${i.architecture} ${i.device} ${i.description}`);
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
  // Order for auto: a hardware Vulkan adapter; else OpenGL ES through Mesa's llvmpipe (compatibility
  // mode, every limit we need requested explicitly); else SwiftShader's Vulkan. On this project's CPU-only
  // machines llvmpipe-GLES ran the stories260K forward pass 25-40x faster than SwiftShader-Vulkan
  // (bench/forward.ts: 4,800 vs 110-230 tokens/s), so a software Vulkan adapter is only the last resort.
  type Plan = { path: string; options: string[]; featureLevel: "core" | "compatibility"; icd?: string; hardwareOnly?: boolean };
  const vulkan: Plan = { path: "node/dawn vulkan", options: ["backend=vulkan"], featureLevel: "core" };
  const gles: Plan = { path: "node/dawn opengles (compatibility)", options: ["backend=opengles"], featureLevel: "compatibility" };
  const swiftshader: Plan = { path: "node/dawn vulkan (SwiftShader ICD)", options: ["backend=vulkan"], featureLevel: "core", icd: SWIFTSHADER_ICD };
  const haveSwiftshader = env.VK_ICD_FILENAMES === undefined && existsSync(SWIFTSHADER_ICD);
  const plans: Plan[] = [];
  if (choice === "auto") {
    // Probe hardware Vulkan only where a GPU device node exists (Linux): Dawn prints its failed probes
    // of software ICDs to stderr, which would clutter every command on a CPU-only machine.
    if (await mayHaveGpu()) plans.push({ ...vulkan, hardwareOnly: true });
    plans.push(gles);
    if (haveSwiftshader) plans.push(swiftshader);
    plans.push(vulkan);
  } else if (choice === "vulkan") {
    plans.push(vulkan);
  } else if (choice === "opengles") {
    plans.push(gles);
  } else if (choice === "swiftshader") {
    if (haveSwiftshader) plans.push(swiftshader);
    else attempts.push({ path: swiftshader.path, error: `${SWIFTSHADER_ICD} not found (Debian package chromium provides it)` });
  }
  for (const plan of plans) {
    const savedIcd = env.VK_ICD_FILENAMES;
    if (plan.icd !== undefined) env.VK_ICD_FILENAMES = plan.icd;
    if (plan.options[0] === "backend=opengles") env.EGL_PLATFORM ??= "surfaceless";
    try {
      const gpu = mod.create(plan.options);
      const adapter = await gpu.requestAdapter({ featureLevel: plan.featureLevel, powerPreference: "high-performance" } as GPURequestAdapterOptions);
      if (adapter !== null && plan.hardwareOnly === true && isSoftware(adapter)) {
        attempts.push({ path: plan.path, error: `only a software adapter (${adapter.info.description || adapter.info.device}); trying the next path` });
      } else if (adapter !== null) {
        return { adapter, path: plan.path, featureLevel: plan.featureLevel, gpu };
      } else {
        attempts.push({ path: plan.path, error: "requestAdapter() returned null" });
      }
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
