/**
 * What the demo worker runs: load a llama2.c model and tokenizer and task data from URLs or picked
 * files, report the adapter, measure accuracy per task, fine-tune, report the loss every step and the
 * accuracy again. method "mazo" (default) trains through the project's MaZO trainer (mazo_run.ts);
 * "mezo" through plain full-parameter MeZO steps (mezo_steps.ts).
 */
import { createGpuContext, type GpuContext } from "../gpu/context.ts";
import { LlamaModel } from "../model/forward.ts";
import { parseLlama2c } from "../model/llama2c.ts";
import { ParamStore } from "../model/param_store.ts";
import { paramCount } from "../model/weights.ts";
import type { Example, TaskSplits } from "../tasks/example.ts";
import { batchLoss, modelScoreFn } from "../mazo/loss.ts";
import { encodeExample, type EncodedExample, scoreEncoded } from "../tasks/encode.ts";
import { loadTask } from "../tasks/load.ts";
import { accuracyByTask, type AccuracyReport, predict } from "../tasks/metrics.ts";
import { TaskMixer } from "../tasks/mixer.ts";
import type { ReadText } from "../tasks/read_text.ts";
import { loadTokenizer } from "../tokenizer/load.ts";
import type { Tokenizer } from "../tokenizer/types.ts";
import { fetchBytes, fetchReadText } from "./fetch_source.ts";
import { createMazoRun } from "./mazo_run.ts";
import { mezoSteps } from "./mezo_steps.ts";
import type { DataRef, DemoEvent, DemoRequest, FileRef } from "./protocol.ts";

/** A training method prepared for one demo run: step() trains on the next batch and returns the loss to plot. */
export interface DemoTrainer {
  readonly name: string;
  step(step: number): Promise<number>;
  destroy(): void;
}

/** Full-parameter MeZO (one seeded probe per step) through mezoSteps on seeded multi-task batches. */
export function mezoDemoTrainer(model: LlamaModel, tasks: readonly TaskData[], req: DemoRequest): DemoTrainer {
  const mixer = new TaskMixer(tasks.map((t) => ({ task: t.task, train: t.train })), { batchSize: req.batch, seed: req.seed });
  return {
    name: `MeZO (all parameters, eps ${req.eps}, lr ${req.lr})`,
    async step(step) {
      const batch = mixer.next();
      const [r] = await mezoSteps(model, () => batchLoss(batch, modelScoreFn(model)), { steps: 1, seed: (req.seed + step) >>> 0, eps: req.eps, lr: req.lr });
      return (r!.lossPlus + r!.lossMinus) / 2;
    },
    destroy() {},
  };
}

/** MaZO through the project's trainer (mazo_run.ts): calibration, masks, ZoTrainer over the masked entries. */
export async function mazoDemoTrainer(model: LlamaModel, tok: Tokenizer, splits: readonly TaskSplits[], req: DemoRequest): Promise<DemoTrainer> {
  const run = await createMazoRun(model, tok, splits, { seed: req.seed, eps: req.eps, lr: req.lr, batch: req.batch, maxLength: req.maxLength, ...(req.keep === undefined ? {} : { keep: req.keep }) });
  return { name: run.description, step: async () => (await run.step()).loss, destroy: () => run.destroy() };
}

async function bytesOf(ref: FileRef): Promise<Uint8Array> {
  return "url" in ref ? await fetchBytes(ref.url) : new Uint8Array(await ref.file.arrayBuffer());
}

/** A ReadText over the files of a picked folder: a path matches the file whose path (minus the picked folder's own name) it ends with. */
export function pickedFilesReader(files: readonly { readonly path: string; readonly file: Blob }[]): ReadText {
  const byPath = new Map(files.map((f) => [f.path.split("/").slice(1).join("/"), f.file]));
  return async (path) => {
    const want = path.replace(/^\/+/, "");
    const hit = byPath.get(want) ?? [...byPath.entries()].find(([p]) => want.endsWith(`/${p}`) || p.endsWith(`/${want}`))?.[1];
    if (hit === undefined) throw new Error(`${path}: not among the ${byPath.size} picked files`);
    return await hit.text();
  };
}

function dataSource(ref: DataRef): { dataDir: string; read: ReadText } {
  return "url" in ref ? { dataDir: ref.url, read: fetchReadText() } : { dataDir: "", read: pickedFilesReader(ref.files) };
}

/** One task's encoded train and test examples. */
export interface TaskData {
  readonly task: string;
  readonly train: EncodedExample[];
  readonly test: EncodedExample[];
}

/** Accuracy per task on the encoded test examples, scored `chunk` examples at a time. */
export async function evaluateTasks(model: LlamaModel, tasks: readonly TaskData[], chunk = 8): Promise<AccuracyReport> {
  const preds: { task: string; prediction: number; label: number }[] = [];
  for (const t of tasks) {
    for (let i = 0; i < t.test.length; i += chunk) {
      const part = t.test.slice(i, i + chunk);
      const scores = await scoreEncoded(part, modelScoreFn(model));
      part.forEach((e, k) => preds.push({ task: t.task, prediction: predict(scores[k]!.map((s) => s.mean)), label: e.example.label }));
    }
  }
  return accuracyByTask(preds);
}

function encodeAll(examples: readonly Example[], tok: Tokenizer, maxLength: number): EncodedExample[] {
  return examples.map((e) => encodeExample(e, tok, { maxLength }));
}

/** Options of {@link runDemo}. */
export interface RunDemoOptions {
  /** The GPU context (default: a new one, destroyed at the end). */
  readonly ctx?: GpuContext;
}

/** Runs the whole demo, sending progress to `emit`; errors are sent as an "error" event and rethrown. */
export async function runDemo(req: DemoRequest, emit: (e: DemoEvent) => void, options: RunDemoOptions = {}): Promise<void> {
  const t0 = performance.now();
  const ctx = options.ctx ?? (await createGpuContext());
  let model: LlamaModel | undefined;
  let trainer: DemoTrainer | undefined;
  try {
    const limits: Record<string, number> = {};
    for (const k of ["maxStorageBufferBindingSize", "maxBufferSize", "maxComputeWorkgroupsPerDimension", "maxStorageBuffersPerShaderStage"] as const) limits[k] = ctx.limits[k];
    emit({ type: "adapter", info: ctx.info, path: ctx.path, limits });
    emit({ type: "status", message: "loading model and tokenizer" });
    const [modelBytes, tokBytes] = await Promise.all([bytesOf(req.model), bytesOf(req.tokenizer)]);
    const weights = parseLlama2c(modelBytes);
    const tok = await loadTokenizer(tokBytes);
    model = new LlamaModel(ctx, ParamStore.upload(ctx, weights));
    emit({ type: "status", message: `loading tasks ${req.tasks.join(", ")}` });
    const src = dataSource(req.data);
    const splits: TaskSplits[] = [];
    const tasks: TaskData[] = [];
    for (const name of req.tasks) {
      const s = await loadTask(name, { ...src, seed: req.seed, sizes: { train: req.trainSize, dev: 0, test: req.testSize } });
      splits.push(s);
      tasks.push({ task: s.task, train: encodeAll(s.train, tok, req.maxLength), test: encodeAll(s.test, tok, req.maxLength) });
    }
    emit({ type: "status", message: "evaluating before training" });
    emit({ type: "accuracy", phase: "before", report: await evaluateTasks(model, tasks) });
    if (req.method === "mezo") trainer = mezoDemoTrainer(model, tasks, req);
    else {
      emit({ type: "status", message: "MaZO calibration and masks" });
      trainer = await mazoDemoTrainer(model, tok, splits, req);
    }
    emit({ type: "loaded", params: paramCount(weights), trainer: trainer.name, tasks: tasks.map((t) => t.task) });
    const tTrain = performance.now();
    for (let step = 0; step < req.steps; step++) {
      const loss = await trainer.step(step);
      emit({ type: "step", step, loss, stepsPerSec: (step + 1) / ((performance.now() - tTrain) / 1000) });
    }
    emit({ type: "status", message: "evaluating after training" });
    emit({ type: "accuracy", phase: "after", report: await evaluateTasks(model, tasks) });
    emit({ type: "done", seconds: (performance.now() - t0) / 1000 });
  } catch (e) {
    emit({ type: "error", message: e instanceof Error ? `${e.message}\n${e.stack ?? ""}` : String(e) });
    throw e;
  } finally {
    trainer?.destroy();
    model?.releaseActivations();
    model?.store.destroy(ctx);
    if (options.ctx === undefined) ctx.destroy();
  }
}
