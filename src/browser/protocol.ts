/**
 * The messages between the demo page and its training worker (examples/browser/). The page posts one
 * DemoRequest; the worker answers with a stream of DemoEvents ending in "done" or "error". Everything
 * is structured-cloneable (File objects included), nothing is a class instance.
 */
import type { AdapterSummary } from "../gpu/context.ts";
import type { AccuracyReport } from "../tasks/metrics.ts";

/** A file given by URL (same origin, or relative to the worker script) or picked by the user. */
export type FileRef = { readonly url: string } | { readonly file: Blob; readonly name: string };

/** Task data: a directory URL (files fetched below it) or the files of a picked folder. */
export type DataRef = { readonly url: string } | { readonly files: readonly { readonly path: string; readonly file: Blob }[] };

/** What the worker should do. */
export interface DemoRequest {
  readonly model: FileRef;
  readonly tokenizer: FileRef;
  readonly data: DataRef;
  readonly tasks: readonly string[];
  readonly steps: number;
  /** Training examples per step (mixed across tasks). */
  readonly batch: number;
  /** Train and test examples sampled per task. */
  readonly trainSize: number;
  readonly testSize: number;
  readonly seed: number;
  readonly eps: number;
  readonly lr: number;
  /** Maximum sequence length (BOS included) for encoding examples. */
  readonly maxLength: number;
  /** "mazo" (default): masked ZO through the MaZO trainer; "mezo": full-parameter MeZO. */
  readonly method?: "mazo" | "mezo";
  /** MaZO: fraction of each weight row trained (default 0.05). */
  readonly keep?: number;
}

/** Progress and results, in the order the worker sends them. */
export type DemoEvent =
  | { readonly type: "adapter"; readonly info: AdapterSummary; readonly path: string; readonly limits: Readonly<Record<string, number>> }
  | { readonly type: "status"; readonly message: string }
  | { readonly type: "loaded"; readonly params: number; readonly trainer: string; readonly tasks: readonly string[] }
  | { readonly type: "accuracy"; readonly phase: "before" | "after"; readonly report: AccuracyReport }
  | { readonly type: "step"; readonly step: number; readonly loss: number; readonly stepsPerSec: number }
  | { readonly type: "done"; readonly seconds: number }
  | { readonly type: "error"; readonly message: string };

/** The defaults the page fills a request with. */
export const DEMO_DEFAULTS: Omit<DemoRequest, "model" | "tokenizer" | "data"> = {
  tasks: ["sst2", "trec"],
  steps: 40,
  batch: 4,
  trainSize: 64,
  testSize: 32,
  seed: 0,
  eps: 1e-3,
  lr: 1e-4,
  maxLength: 96,
  method: "mazo",
};
