// Public API of mazo (browser-safe: nothing here imports node: modules). This file only re-exports.

// GPU context, tensors, recording
export { createGpuContext } from "./gpu/context.ts";
export type { AdapterSummary, GpuContext, GpuContextOptions, GpuFault } from "./gpu/context.ts";
export { BACKEND_CHOICES } from "./gpu/adapter.ts";
export type { BackendChoice } from "./gpu/adapter.ts";
export { Recorder } from "./gpu/recorder.ts";
export { chunkBinding, createTensor, destroyTensor, readTensor, uploadTensor, viewRows, writeTensor } from "./gpu/tensor.ts";
export type { DType, Tensor, TensorChunk } from "./gpu/tensor.ts";
export type { MemoryCategory, MemoryReport } from "./gpu/memory.ts";

// Kernels
export { add } from "./kernels/add.ts";
export { biasAdd } from "./kernels/bias_add.ts";
export { matmul } from "./kernels/matmul.ts";
export { rmsnorm } from "./kernels/rmsnorm.ts";
export { rope, ROPE_EXACT_POSITIONS } from "./kernels/rope.ts";
export type { RopeOptions } from "./kernels/rope.ts";
export { swiglu } from "./kernels/swiglu.ts";
export { embedding } from "./kernels/embedding.ts";
export { colSumSq } from "./kernels/colsumsq.ts";
export type { ColSumSqOptions } from "./kernels/colsumsq.ts";
export { attention, ATTENTION_MAX_HEAD_DIM } from "./kernels/attention.ts";
export type { AttentionShape } from "./kernels/attention.ts";
export { logSoftmaxGather } from "./kernels/logsoftmax_gather.ts";
export type { LogSoftmaxGatherOptions } from "./kernels/logsoftmax_gather.ts";
export {
  createArenaPlan,
  createMaskPlan,
  createMaskSave,
  destroyArenaPlan,
  destroyMaskPlan,
  perturbArena,
  perturbArenaExact,
  perturbMasked,
  quantizeArena,
  readGridStatus,
  resetGridStatus,
  restoreMasked,
  rngAgreement,
  saveMasked,
  updateArena,
  updateArenaExact,
  updateMasked,
} from "./kernels/perturb.ts";
export type { ArenaPlan, MaskPlan, RngAgreement, ZoArena } from "./kernels/perturb.ts";
export { Z_MAX, Z_VARIANCE, zInt, zRange, zValue } from "./ref/rng.ts";

// Models
export { canonicalTensors } from "./model/canonical.ts";
export type { CanonicalTensor, ParamKind } from "./model/canonical.ts";
export { validateConfig } from "./model/config.ts";
export type { Arch, ModelConfig, RopeLayout } from "./model/config.ts";
export { checkHostWeights, paramCount } from "./model/weights.ts";
export type { HostTensor, HostWeights } from "./model/weights.ts";
export { encodeLlama2c, parseLlama2c } from "./model/llama2c.ts";
export { encodeSafetensors, parseSafetensors, parseSafetensorsHeader } from "./model/safetensors.ts";
export { loadHfWeights, parseHfConfig } from "./model/hf.ts";
export type { FileSource } from "./model/hf.ts";
export { encodeHfFolder, withRopeLayout } from "./model/convert.ts";
export { ParamStore } from "./model/param_store.ts";
export type { ArenaBuffer, ParamEntry } from "./model/param_store.ts";
export { LlamaModel } from "./model/forward.ts";
export type { LinearAdapter, ScoreResult, ScoreSequence } from "./model/forward.ts";
export { KvCache } from "./model/kv_cache.ts";
export { generate } from "./model/generate.ts";
export type { GenerateOptions } from "./model/generate.ts";

// Zeroth-order engine
export { ZoAbortError, ZoTrainer } from "./zo/trainer.ts";
export type { StepRecord, ZoTrainerOptions, ZoTrainerState, ZoUpdate } from "./zo/trainer.ts";
export type { LossFn, ZoScope } from "./zo/scope.ts";
export { ArenaScope, describeGridStatus, GridError } from "./zo/arena_scope.ts";
export type { ArenaScopeOptions, ExactModeOptions } from "./zo/arena_scope.ts";
export { createFullScope, maxAbsPerTensor, PARAM_GROUPS } from "./zo/full_scope.ts";
export type { FullScopeOptions, ParamGroup } from "./zo/full_scope.ts";
export { checkSchedule, lrAt } from "./zo/schedule.ts";
export type { LrSchedule, LrScheduleKind } from "./zo/schedule.ts";
export { probeSeed } from "./zo/seeds.ts";
export { Batcher, encodeTexts, lmBatchLoss, lmLossForStep, lmSequences, parseTextJsonl } from "./zo/losses.ts";
export type { LossForStep, TextTokenizer } from "./zo/losses.ts";
export { headerLine, parseTrajectory, stepLine, TRAJECTORY_VERSION, weightsHash } from "./zo/trajectory.ts";
export type { ReplayStep, Trajectory, TrajectoryHeader } from "./zo/trajectory.ts";
export { replay } from "./zo/replay.ts";
export type { ReplayOptions } from "./zo/replay.ts";

// LoRA
export { checkLoraConfig, DEFAULT_LORA, initHostLora, LORA_ID_BASE, LORA_TARGETS, LoraAdapters, loraEntries } from "./lora/lora.ts";
export type { HostLora, LoraConfig, LoraEntry, LoraTarget } from "./lora/lora.ts";
export { createLoraScope } from "./lora/scope.ts";
export type { LoraScopeOptions } from "./lora/scope.ts";
export { encodePeftFolder, mergeLora, peftConfigJson, peftTensors } from "./lora/peft.ts";

// Tokenizers
export { detectTokenizerKind, loadTokenizer } from "./tokenizer/load.ts";
export { HfTokenizer } from "./tokenizer/hf/tokenizer.ts";
export { Llama2cTokenizer, parseLlama2cVocab } from "./tokenizer/llama2c.ts";
export type { Llama2cVocab } from "./tokenizer/llama2c.ts";
export type { EncodeOptions, Tokenizer, TokenizerKind } from "./tokenizer/types.ts";

// Masks
export { loadMaskEngine, MASK_BLOCK_ELEMS, MaskEngine } from "./mask/engine.ts";
export type { MaskEngineOptions } from "./mask/engine.ts";
export { Mask, MASK_PAD } from "./mask/mask.ts";
export { bitsetCount, bitsetToIndices, bitsetWords, indicesToBitset, rowCounts } from "./mask/bitset.ts";
export { keepToK } from "./mask/keep.ts";
export type { KeepSpec } from "./mask/keep.ts";
export { MAX_MASK_SIZE, ROW_NORMS } from "./mask/checks.ts";
export type { RowNorm } from "./mask/checks.ts";

// Tasks
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

// Fine-tuning pipeline (the browser worker, the page and the extension use these)
export { fineTune } from "./train/fine_tune.ts";
export { memorySink } from "./train/sink.ts";
export type { MemorySink, RunSink } from "./train/sink.ts";
export { TASK_METHODS } from "./train/options.ts";
export type { FineTuneOptions, TaskDataOptions, TextDataOptions, TaskMethod } from "./train/options.ts";
export type { FineTuneEvent } from "./train/events.ts";
export type { FineTuneResult } from "./train/result.ts";
export type { EvalReport, TaskEval } from "./train/evaluate.ts";

// Browser helpers (fetch file access, the fine-tuning worker, the golden forward check)
export * from "./browser/index.ts";

// MaZO: importance, masks, masked scopes
export { calibrate, CALIBRATION_DEFAULTS } from "./mazo/calibrate.ts";
export type { CalibrationOptions, CalibrationTask, TaskStats } from "./mazo/calibrate.ts";
export { CALIBRATION_CANDIDATES, calibrationSequences } from "./mazo/calibration_set.ts";
export type { CalibrationCandidates } from "./mazo/calibration_set.ts";
export { SCORE_DEFAULTS, taskScores } from "./mazo/scores.ts";
export type { ScoreCoefficients } from "./mazo/scores.ts";
export { buildMasks, MASK_DEFAULTS, MASK_METHODS, maskOverlap, OTHER_GROUPS, randomScores } from "./mazo/masks.ts";
export type { MaskMethod, MaskOptions, MaskSelector, MaskSet, OtherGroups } from "./mazo/masks.ts";
export { MaskedScope, masksByArena, splitByArena } from "./mazo/masked_scope.ts";
export type { ArenaSource, TensorMasks } from "./mazo/masked_scope.ts";
export { keptRows, loraBMask, rowImportance } from "./mazo/lora_mask.ts";
export { createLoraMaskedScope, loraMasks } from "./mazo/lora_scope.ts";
export type { LoraMaskOptions } from "./mazo/lora_scope.ts";
export { batchLoss, modelScoreFn } from "./mazo/loss.ts";

// Benchmarks (runtime-neutral)
export { benchForward, FORWARD_SHAPES, forwardTable, parseShapes } from "./bench/forward.ts";
export { benchSteps, stepTable } from "./bench/step.ts";
