/**
 * One fine-tuning run from a page's {@link StartRequest}: the thin layer between the worker protocol and
 * `fineTune` (src/train/fine_tune.ts), as src/cli is for the command line. It loads the model and the
 * tokenizer (by fetch, or from picked Blobs), gives task data a reader (fetch below a folder URL, or the
 * picked folder's files), runs fineTune into a memorySink and hands every event to `post`. The run's
 * files come back in the {@link FinishedMessage}, whether it finished, was stopped or failed.
 */
import { createGpuContext, type GpuContext } from "../gpu/context.ts";
import { parseLlama2c } from "../model/llama2c.ts";
import type { ReadText } from "../tasks/read_text.ts";
import { loadTokenizer } from "../tokenizer/load.ts";
import { fineTune } from "../train/fine_tune.ts";
import type { TaskDataOptions, TextDataOptions } from "../train/options.ts";
import { memorySink } from "../train/sink.ts";
import { type FetchFn, fetchBytes, fetchReadText } from "./fetch_source.ts";
import { pickedFilesReader } from "./picked_files.ts";
import type { AdapterMessage, DataRef, FileRef, FinishedMessage, RequestTaskData, StartRequest, WorkerMessage } from "./protocol.ts";

/** Options of {@link runRequest}. */
export interface RunRequestOptions {
  /** Stops the run between steps (a "stop" request). */
  readonly signal?: AbortSignal;
  /** The GPU context (default: a new one, destroyed at the end). */
  readonly ctx?: GpuContext;
  /** The fetch to read URLs with (default: the global fetch). */
  readonly fetch?: FetchFn;
}

const LIMITS = ["maxStorageBufferBindingSize", "maxBufferSize", "maxComputeWorkgroupsPerDimension", "maxStorageBuffersPerShaderStage"] as const;

/** The "adapter" message of `ctx`: what the worker runs on. */
export function adapterMessage(ctx: GpuContext): AdapterMessage {
  const limits: Record<string, number> = {};
  for (const k of LIMITS) limits[k] = ctx.limits[k];
  return { type: "adapter", info: ctx.info, path: ctx.path, limits };
}

function refName(ref: FileRef): string {
  return "url" in ref ? ref.url : ref.name;
}

async function bytesOf(ref: FileRef, fetchFn: FetchFn | undefined): Promise<Uint8Array> {
  return "url" in ref ? await fetchBytes(ref.url, fetchFn) : new Uint8Array(await ref.file.arrayBuffer());
}

/** The folder and reader task files are read with. Picked files get a placeholder folder: the reader matches paths by their ending. */
function taskSource(ref: DataRef, fetchFn: FetchFn | undefined): { dataDir: string; read: ReadText } {
  return "url" in ref ? { dataDir: ref.url, read: fetchReadText(fetchFn) } : { dataDir: "picked", read: pickedFilesReader(ref.files) };
}

function isText(d: RequestTaskData | TextDataOptions): d is TextDataOptions {
  return "texts" in d;
}

function checkRequest(req: StartRequest): void {
  for (const k of ["model", "tokenizer"] as const) {
    const r = req[k] as FileRef | undefined;
    if (r === undefined || !("url" in r || "file" in r)) throw new TypeError(`start request: ${k} must be { url } or { file, name }, got ${JSON.stringify(r)}`);
  }
  const d = req.data as RequestTaskData | TextDataOptions | undefined;
  if (d === undefined || (!("texts" in d) && !("tasks" in d))) throw new TypeError(`start request: data must be { tasks, from, sizes? } or { texts }, got ${JSON.stringify(d)}`);
  if (!isText(d) && (d.from === undefined || !("url" in d.from || "files" in d.from))) throw new TypeError(`start request: data.from must be { url } or { files }, got ${JSON.stringify(d.from)}`);
}

/**
 * Runs `req` through fineTune: posts the adapter message and every FineTuneEvent to `post`, and
 * returns the "finished" message (status done, stopped when `signal` aborted it, or error) with the
 * run's files. Never throws for a failed run; the caller posts the result (transferring the buffers).
 */
export async function runRequest(req: StartRequest, post: (m: WorkerMessage) => void, o: RunRequestOptions = {}): Promise<FinishedMessage> {
  const sink = memorySink(new Map(Object.entries(req.files ?? {})));
  const files = () => Object.fromEntries(sink.files);
  let ctx: GpuContext | undefined = o.ctx;
  try {
    checkRequest(req);
    ctx ??= await createGpuContext();
    post(adapterMessage(ctx));
    post({ type: "progress", phase: "load", message: `loading ${refName(req.model)} and ${refName(req.tokenizer)}` });
    const [modelBytes, tokBytes] = await Promise.all([bytesOf(req.model, o.fetch), bytesOf(req.tokenizer, o.fetch)]);
    const tokenizer = await loadTokenizer(tokBytes);
    const d = req.data;
    let data: TaskDataOptions | TextDataOptions;
    if (isText(d)) data = d;
    else {
      const { from, ...rest } = d;
      data = { ...rest, ...taskSource(from, o.fetch) };
    }
    const options = req.options ?? {};
    const summary = isText(d) ? { texts: d.texts.length, ...(d.label !== undefined ? { label: d.label } : {}) } : { tasks: d.tasks, ...(d.sizes !== undefined ? { sizes: d.sizes } : {}) };
    await fineTune({
      config: { model: refName(req.model), tokenizer: refName(req.tokenizer), data: summary, ...options },
      ...options,
      ctx,
      model: { weights: parseLlama2c(modelBytes), name: refName(req.model) },
      tokenizer,
      data,
      sink,
      onEvent: post,
      ...(o.signal !== undefined ? { signal: o.signal } : {}),
    });
    return { type: "finished", status: "done", files: files() };
  } catch (e) {
    const message = e instanceof Error ? `${e.message}${e.stack !== undefined ? `\n${e.stack}` : ""}` : String(e);
    return { type: "finished", status: o.signal?.aborted === true ? "stopped" : "error", message, files: files() };
  } finally {
    if (o.ctx === undefined) ctx?.destroy();
  }
}
