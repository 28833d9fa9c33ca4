// Forward-pass throughput of LlamaModel.score on stories260K (or --model): tokens/s for several
// (batch, length) shapes on this adapter, median of repeated runs after warm-up. Reports what it measured.
//   npm run bench -- forward [--node] [--model <path>] [--reps N] [--backend <name>]
import process from "node:process";
import { join } from "node:path";
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
const ctx = await createGpuContext({ backend: opt("backend", "auto") as "auto" });
const loaded = await loadModel(modelPath);
const model = new LlamaModel(ctx, ParamStore.upload(ctx, loaded.weights));
const V = loaded.weights.config.vocabSize;
console.log(`forward bench: ${loaded.path} (${loaded.weights.config.dim} dim, ${loaded.weights.config.nLayers} layers) on ${ctx.info.description} via ${ctx.path} [${ctx.runtime}]`);
console.log(`${"batch x len".padEnd(12)} ${"tokens".padStart(7)} ${"median ms".padStart(10)} ${"tokens/s".padStart(10)}`);
for (const [b, len] of [[1, 64], [1, 256], [8, 64], [16, 128], [32, 128]] as const) {
  const seqs = Array.from({ length: b }, (_, i) => {
    const tokens = Array.from({ length: len }, (_, t) => (t === 0 ? 1 : (7 * t + 13 * i) % V));
    return { tokens, targets: [...tokens.slice(1), -1] };
  });
  await model.score(seqs); // warm-up: pipelines and activations
  const times: number[] = [];
  for (let r = 0; r < reps; r++) {
    const t0 = performance.now();
    await model.score(seqs);
    times.push(performance.now() - t0);
  }
  times.sort((x, y) => x - y);
  const med = times[Math.floor(times.length / 2)]!;
  console.log(`${`${b} x ${len}`.padEnd(12)} ${String(b * len).padStart(7)} ${med.toFixed(1).padStart(10)} ${((b * len) / (med / 1000)).toFixed(0).padStart(10)}`);
  model.releaseActivations();
}
ctx.destroy();
