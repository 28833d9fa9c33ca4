/**
 * The messages between a page and a fine-tuning worker (src/browser/worker_serve.ts; the demo in
 * examples/browser/). The page posts a {@link StartRequest} (the run's options as plain data: files by
 * URL or as picked Blobs) and may post a {@link StopRequest}; the worker answers with "adapter", then
 * fineTune's own events (src/train/events.ts) as they come, and one "finished" message with the run's
 * files. Everything is structured-cloneable; nothing is a class instance.
 */
import type { AdapterSummary } from "../gpu/context.ts";
import type { FineTuneEvent } from "../train/events.ts";
import type { FineTuneOptions, TaskDataOptions, TextDataOptions } from "../train/options.ts";

/** A file given by URL (absolute, or relative to the worker script) or picked by the user. */
export type FileRef = { readonly url: string } | { readonly file: Blob; readonly name: string };

/** Where task files come from: a folder URL (fetched below it) or the files of a picked folder. */
export type DataRef = { readonly url: string } | { readonly files: readonly { readonly path: string; readonly file: Blob }[] };

/** Task data of a request: fineTune's TaskDataOptions with the files' origin instead of a reader. */
export interface RequestTaskData extends Omit<TaskDataOptions, "read" | "dataDir"> {
  readonly from: DataRef;
}

/** fineTune's options that travel as plain data (the worker supplies ctx, model, tokenizer, data, sink, events, signal). */
export type RequestOptions = Omit<FineTuneOptions, "ctx" | "model" | "tokenizer" | "data" | "sink" | "onEvent" | "signal">;

/** Starts a run. */
export interface StartRequest {
  readonly type: "start";
  /** A llama2.c checkpoint. */
  readonly model: FileRef;
  /** A tokenizer (llama2.c tokenizer.bin or tokenizer.json). */
  readonly tokenizer: FileRef;
  readonly data: RequestTaskData | TextDataOptions;
  readonly options?: RequestOptions;
  /** The files of an earlier run (a "finished" message's), to resume it with options.resume. */
  readonly files?: RunFiles;
}

/** Stops the running run between steps (after its last checkpoint); the worker then sends "finished" with status "stopped". */
export interface StopRequest {
  readonly type: "stop";
}

/** What a page posts to the worker. */
export type WorkerRequest = StartRequest | StopRequest;

/** A run's files by name (the run folder's layout: trajectory.jsonl, metrics.jsonl, eval.json, model/...). */
export type RunFiles = Readonly<Record<string, Uint8Array>>;

/** The adapter the worker runs on, sent first. */
export interface AdapterMessage {
  readonly type: "adapter";
  readonly info: AdapterSummary;
  readonly path: string;
  readonly limits: Readonly<Record<string, number>>;
}

/** The last message of a run: how it ended and every file it wrote (also when stopped or failed). */
export interface FinishedMessage {
  readonly type: "finished";
  readonly status: "done" | "stopped" | "error";
  /** The error's message (status "error") or the stop's reason (status "stopped"). */
  readonly message?: string;
  readonly files: RunFiles;
}

/** What the worker posts: the adapter, fineTune's events, then "finished". */
export type WorkerMessage = AdapterMessage | FineTuneEvent | FinishedMessage;

/** The defaults of the demo page's form. */
export const DEMO_DEFAULTS = {
  tasks: ["sst2", "trec"],
  method: "mazo",
  steps: 40,
  batch: 4,
  sizes: { train: 64, dev: 8, test: 32 },
  seed: 0,
  eps: 1e-3,
  lr: 1e-3,
  keep: 0.05,
  maxLen: 96,
  evalEvery: 10,
} as const;
