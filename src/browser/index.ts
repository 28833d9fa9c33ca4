// Browser-side helpers (fetch file access, the demo worker's loop and protocol, the golden and MeZO
// checks the browser tests run). Browser-safe like the rest of the bundle. This file only re-exports.
export { fetchBytes, fetchReadText, fetchText, urlFolderSource } from "./fetch_source.ts";
export type { FetchFn } from "./fetch_source.ts";
export { goldenForwardCheck } from "./golden_check.ts";
export type { GoldenCheckOptions, GoldenForward, GoldenReport } from "./golden_check.ts";
export { mezoSteps, modelArenaPlans, sequenceNll } from "./mezo_steps.ts";
export type { BatchLoss, MezoStepOptions, MezoStepRecord } from "./mezo_steps.ts";
export { DEMO_DEFAULTS } from "./protocol.ts";
export type { DataRef, DemoEvent, DemoRequest, FileRef } from "./protocol.ts";
export { createMazoRun } from "./mazo_run.ts";
export type { MazoRun, MazoRunOptions } from "./mazo_run.ts";
export { evaluateTasks, mazoDemoTrainer, mezoDemoTrainer, pickedFilesReader, runDemo } from "./train_demo.ts";
export type { DemoTrainer, RunDemoOptions, TaskData } from "./train_demo.ts";
