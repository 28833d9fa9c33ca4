// Embedding mazo in a Deno script with the public API only (the `mazo` entry point, here
// ../../src/index.ts; after publishing, "jsr:@mazo/mazo"): load stories260K and its tokenizer, MaZO
// fine-tune on tasks with the run's files kept in memory, print the accuracy table, rebuild the trained
// weights from the run's trajectory with replay and evaluate them again (the same numbers), then
// generate a few tokens with them.
//
//   deno run -A examples/embed/deno.ts [--steps 40] [--tasks sst2,trec] [--data ../shared/data]
import { parseArgs } from "node:util";
import { createGpuContext, evaluate, fineTune, generateText, loadModel, loadTokenizer, memorySink, replay } from "../../src/index.ts";
import type { EvalReport } from "../../src/index.ts";

const { values } = parseArgs({ options: { steps: { type: "string", default: "40" }, tasks: { type: "string", default: "sst2,trec" }, data: { type: "string", default: "../shared/data" } } });
const steps = Number(values.steps);
const tasks = values.tasks.split(",");
const dataDir = values.data;

const table = (r: EvalReport | undefined): string => tasks.map((t) => `${t} ${(100 * (r?.tasks[t]?.accuracy ?? NaN)).toFixed(1)}%`).join(", ");

const ctx = await createGpuContext();
try {
  const model = await loadModel(`${dataDir}/stories260K/stories260K.bin`);
  const tokenizer = await loadTokenizer(`${dataDir}/stories260K/tok512.bin`);
  const data = { tasks, dataDir, sizes: { train: 64, dev: 16, test: 32 } };
  const sink = memorySink();
  const result = await fineTune({
    ctx,
    model,
    tokenizer,
    data,
    method: "mazo",
    steps,
    batch: 8,
    best: false,
    sink,
    onEvent: (e) => {
      if (e.type === "progress") console.log(`[${e.phase}] ${e.message}`);
      if (e.type === "step" && (e.step % 10 === 0 || e.step === e.total)) console.log(`step ${e.step}/${e.total}: loss ${e.record.loss.toFixed(4)}`);
    },
  });
  console.log(`before: ${table(result.before)}`);
  console.log(`after:  ${table(result.after)} (${result.steps} steps, ${(result.trainMs / 1000).toFixed(1)}s training, peak step memory ${result.memory.step} bytes)`);

  // The trajectory (a few hundred bytes per step) and masks.json are enough to rebuild the weights.
  const text = (name: string) => new TextDecoder().decode(sink.files.get(name));
  const rebuilt = await replay({ ctx, model, trajectory: text("trajectory.jsonl"), masks: text("masks.json") });
  if (rebuilt.kind !== "weights") throw new Error(`expected weights from a ${rebuilt.method} run`);
  const again = await evaluate({ ctx, model: { weights: rebuilt.weights }, tokenizer, data, maxLen: 128 });
  console.log(`replayed: ${table(again)}`);

  const story = await generateText({ ctx, model: { weights: rebuilt.weights }, tokenizer, prompt: "Once upon a time", maxTokens: 24, temperature: 0 });
  console.log(`generated: Once upon a time${story.text}`);
} finally {
  ctx.destroy();
}
