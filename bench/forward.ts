// Forward-pass throughput of LlamaModel.score on stories260K (or --model): tokens/s for several
// (batch, length) shapes on this adapter, median of repeated runs after warm-up (src/bench/forward.ts;
// `mazo bench forward` runs the same measurement). Reports what it measured.
//   npm run bench -- forward [--node] [--model <path>] [--reps N] [--backend <name>] [--shapes 1x64,8x64]
import process from "node:process";
import { join } from "node:path";
import { benchForward, FORWARD_SHAPES, forwardTable, parseShapes } from "../src/bench/forward.ts";
import { createGpuContext } from "../src/gpu/context.ts";
import { dataDir } from "../src/io/files.ts";
import { LlamaModel } from "../src/model/forward.ts";
import { loadModel } from "../src/model/load.ts";
import { ParamStore } from "../src/model/param_store.ts";

const args = process.argv.slice(2);
const opt = (name: string, d: string) => {
  const i = args.indexOf(`--${name}`);
  return i >= 0 && args[i + 1] !== undefined ? args[i + 1]! : d;
};
const modelPath = opt("model", join(dataDir(), "stories260K", "stories260K.bin"));
const reps = Number(opt("reps", "5"));
const shapes = args.includes("--shapes") ? parseShapes(opt("shapes", "")) : FORWARD_SHAPES;
const ctx = await createGpuContext({ backend: opt("backend", "auto") as "auto" });
const loaded = await loadModel(modelPath);
const model = new LlamaModel(ctx, ParamStore.upload(ctx, loaded.weights));
console.log(`forward bench: ${loaded.path} (${loaded.weights.config.dim} dim, ${loaded.weights.config.nLayers} layers) on ${ctx.info.description} via ${ctx.path} [${ctx.runtime}]; median of ${reps} after 1 warm-up`);
console.log(forwardTable(await benchForward(model, shapes, reps)));
model.store.destroy(ctx);
ctx.destroy();
