// Public API of mazo (`mazo`, dist/mazo.js): load a model and tokenizer from anywhere, fine-tune,
// evaluate, generate, replay a trajectory, apply an adapter. Browser-safe: nothing here imports node:
// modules statically. The low-level building blocks (kernels, arena plans, scopes, masks, the ZO
// trainer) are in ./kernels.ts (`mazo/kernels`); Deno/Node file sinks in ./node.ts (`mazo/node`).
// This file only re-exports.

// Loading models, tokenizers and adapters (path, URL, bytes, FileSource)
export { loadModel } from "./load/model.ts";
export type { HostModel, LoadModelOptions, ModelInput } from "./load/model.ts";
export { loadTokenizer, TOKENIZER_FILE_NAMES } from "./load/tokenizer.ts";
export type { LoadTokenizerOptions, TokenizerInput } from "./load/tokenizer.ts";
export { applyAdapter, loadAdapter, parsePeftAdapter } from "./load/adapter.ts";
export type { Location, LocationOptions } from "./load/location.ts";
export type { EncodeOptions, Tokenizer, TokenizerKind } from "./tokenizer/types.ts";

// Fine-tuning
export { fineTune } from "./train/fine_tune.ts";
export { DEFAULT_TASKS, defaultLr, resolveFineTune, TASK_METHODS, TEXT_METHODS } from "./train/options.ts";
export type {
  FineTuneOptions,
  MaskSettings,
  ModelSource,
  ResolvedFineTune,
  TaskDataOptions,
  TaskMethod,
  TaskSettings,
  TextDataOptions,
  TrainConfig,
} from "./train/options.ts";
export type { DecayRule } from "./zo/weight_decay.ts";
export type { FineTuneEvent } from "./train/events.ts";
export type { BestStep, FineTuneResult } from "./train/result.ts";
export type { CurvePoint } from "./train/checkpoint.ts";
export { memorySink } from "./train/sink.ts";
export type { MemorySink, RunSink } from "./train/sink.ts";
export type { StepRecord, ZoTrainerOptions, ZoUpdate } from "./zo/trainer.ts";
export type { LrSchedule, LrScheduleKind } from "./zo/schedule.ts";
export type { ParamGroup } from "./zo/full_scope.ts";
export { DEFAULT_LORA, LORA_TARGETS } from "./lora/lora.ts";
export type { HostLora, LoraConfig, LoraEntry, LoraTarget } from "./lora/lora.ts";
export type { RowNorm } from "./mask/checks.ts";
export type { OtherGroups } from "./mazo/masks.ts";

// Evaluating and generating
export { evaluate } from "./train/evaluate_model.ts";
export type { EvaluateOptions } from "./train/evaluate_model.ts";
export type { EvalReport, TaskEval } from "./train/evaluate.ts";
export { generateText } from "./model/generate_text.ts";
export type { GeneratedText, GenerateTextOptions } from "./model/generate_text.ts";
export { generate } from "./model/generate.ts";
export type { GenerateOptions } from "./model/generate.ts";

// Replaying a run (trajectory + masks -> fine-tuned weights or adapter)
export { MASKED_METHODS, replay, REPLAY_METHODS } from "./train/replay_run.ts";
export type { ReplayResult, ReplayRunOptions } from "./train/replay_run.ts";
export { parseTrajectory, weightsHash } from "./zo/trajectory.ts";
export type { ReplayStep, Trajectory, TrajectoryHeader } from "./zo/trajectory.ts";
export { encodeMaskFile, parseMaskFile } from "./train/mask_file.ts";
export type { MaskFile } from "./train/mask_file.ts";
export { Mask } from "./mask/mask.ts";

// GPU context
export { createGpuContext } from "./gpu/context.ts";
export type { AdapterSummary, GpuContext, GpuContextOptions, GpuFault } from "./gpu/context.ts";
export { BACKEND_CHOICES } from "./gpu/adapter.ts";
export type { BackendChoice } from "./gpu/adapter.ts";
export type { MemoryCategory, MemoryReport } from "./gpu/memory.ts";
export type { DType, Tensor, TensorChunk } from "./gpu/tensor.ts";

// Models: weights on the host and on the GPU, file formats
export { LlamaModel } from "./model/forward.ts";
export type { LinearAdapter, ScoreResult, ScoreSequence } from "./model/forward.ts";
export { ParamStore } from "./model/param_store.ts";
export type { ArenaBuffer, ParamEntry } from "./model/param_store.ts";
export { checkHostWeights, paramCount } from "./model/weights.ts";
export type { HostTensor, HostWeights } from "./model/weights.ts";
export { validateConfig } from "./model/config.ts";
export type { Arch, ModelConfig, RopeLayout } from "./model/config.ts";
export { encodeLlama2c, parseLlama2c } from "./model/llama2c.ts";
export { encodeSafetensors, parseSafetensors, parseSafetensorsHeader } from "./model/safetensors.ts";
export { loadHfWeights, parseHfConfig } from "./model/hf.ts";
export type { FileSource } from "./model/hf.ts";
export { encodeHfFolder, withRopeLayout } from "./model/convert.ts";
export { encodePeftFolder, mergeLora, peftConfigJson } from "./lora/peft.ts";

// Tasks: task files, templates, loading, encoding, metrics
export * from "./tasks/example.ts";
export * from "./tasks/task.ts";
export * from "./tasks/load.ts";
export * from "./tasks/registry.ts";
export * from "./tasks/template.ts";
export * from "./tasks/encode.ts";
export * from "./tasks/metrics.ts";
export * from "./tasks/mixer.ts";
export { TaskDataError } from "./tasks/errors.ts";
export { MEZO_SIZES } from "./tasks/split.ts";
export { DATA_FORMATS, formatOfPath, labelNames, parseTaskSpec, TASK_KINDS, TaskFileError } from "./tasks/task_file.ts";
export type { DataFile, DataFormat, DataSpec, DerivedField, SplitRule, TaskKind, TaskSpec } from "./tasks/task_file.ts";
export { answerF1, exactMatch, normalizeAnswer, predictionText } from "./tasks/generation_metrics.ts";
export { BadRecordsError } from "./tasks/pools.ts";

// Browser helpers (fetch file access, the fine-tuning worker, the golden forward check)
export * from "./browser/index.ts";
