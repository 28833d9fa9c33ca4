// Browser-side helpers: fetch file access, picked-folder task data, the golden forward check, and the
// fine-tuning worker (its protocol, runRequest over fineTune, the message loop). Browser-safe like the
// rest of the bundle. This file only re-exports.
export { fetchBytes, fetchReadText, fetchText, urlFolderSource } from "./fetch_source.ts";
export type { FetchFn } from "./fetch_source.ts";
export { pickedFilesReader } from "./picked_files.ts";
export { goldenForwardCheck } from "./golden_check.ts";
export type { GoldenCheckOptions, GoldenForward, GoldenReport } from "./golden_check.ts";
export { DEMO_DEFAULTS } from "./protocol.ts";
export type { AdapterMessage, DataRef, FileRef, FinishedMessage, RequestOptions, RequestTaskData, RunFiles, StartRequest, StopRequest, WorkerMessage, WorkerRequest } from "./protocol.ts";
export { adapterMessage, runRequest } from "./run_request.ts";
export type { RunRequestOptions } from "./run_request.ts";
export { serveFineTune } from "./worker_serve.ts";
export type { ServeOptions, WorkerScope } from "./worker_serve.ts";
