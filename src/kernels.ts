// Low-level API of mazo (`mazo/kernels`, dist/kernels.js), for those who build their own training loop:
// everything the main entry exports, plus tensors and the recorder, one host wrapper per WGSL kernel,
// the seeded perturbation and its arena plans, parameter scopes, the ZO trainer, LoRA and MaZO
// internals, masks, tokenizer classes and benchmarks. Browser-safe like the main entry. This file only
// re-exports.
export * from "./index.ts";

// GPU: tensors, recording
export { Recorder } from "./gpu/recorder.ts";
export { chunkBinding, createTensor, destroyTensor, readTensor, uploadTensor, viewRows, writeTensor } from "./gpu/tensor.ts";

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

// Seeded perturbation: arena plans, masked plans, exact (grid) mode
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
export { Z_MAX, Z_VARIANCE, zInt, zRange, zValue } from "./zo/rng.ts";

// Models: tensor layout, KV cache
export { canonicalTensors } from "./model/canonical.ts";
export type { CanonicalTensor, ParamKind } from "./model/canonical.ts";
export { KvCache } from "./model/kv_cache.ts";

// Zeroth-order engine: trainer, scopes, schedules, losses, trajectories, step replay
export { ZoAbortError, ZoTrainer } from "./zo/trainer.ts";
export type { ZoTrainerState } from "./zo/trainer.ts";
export type { LossFn, ZoScope } from "./zo/scope.ts";
export { ArenaScope, describeGridStatus, GridError } from "./zo/arena_scope.ts";
export type { ArenaScopeOptions, ExactModeOptions } from "./zo/arena_scope.ts";
export { createFullScope, maxAbsPerTensor, PARAM_GROUPS } from "./zo/full_scope.ts";
export type { FullScopeOptions } from "./zo/full_scope.ts";
export { DECAY_RULES, decays } from "./zo/weight_decay.ts";
export type { DecayRule } from "./zo/weight_decay.ts";
export { checkSchedule, lrAt } from "./zo/schedule.ts";
export { probeSeed } from "./zo/seeds.ts";
export { Batcher, encodeTexts, lmBatchLoss, lmLossForStep, lmSequences, parseTextJsonl } from "./zo/losses.ts";
export type { LossForStep, TextTokenizer } from "./zo/losses.ts";
export { headerLine, stepLine, TRAJECTORY_VERSION } from "./zo/trajectory.ts";
export { replay as replaySteps } from "./zo/replay.ts";
export type { ReplayOptions as ReplayStepsOptions } from "./zo/replay.ts";
export { replayOnGpu } from "./train/replay_run.ts";
export type { ReplayedRun } from "./train/replay_run.ts";

// Driving a run yourself (swarm workers): the prepared run fineTune drives
export { prepareRun } from "./train/prepare.ts";
export type { PreparedRun, RunBatch } from "./train/prepare.ts";

// LoRA
export { checkLoraConfig, initHostLora, LORA_ID_BASE, LoraAdapters, loraEntries } from "./lora/lora.ts";
export { createLoraScope } from "./lora/scope.ts";
export type { LoraScopeOptions } from "./lora/scope.ts";
export { peftTensors } from "./lora/peft.ts";

// Tokenizer classes
export { detectTokenizerKind, loadTokenizer as tokenizerFromBytes } from "./tokenizer/load.ts";
export { HfTokenizer } from "./tokenizer/hf/tokenizer.ts";
export { Llama2cTokenizer, parseLlama2cVocab } from "./tokenizer/llama2c.ts";
export type { Llama2cVocab } from "./tokenizer/llama2c.ts";

// Masks
export { loadMaskEngine, MASK_BLOCK_ELEMS, MaskEngine } from "./mask/engine.ts";
export type { MaskEngineOptions } from "./mask/engine.ts";
export { MASK_PAD } from "./mask/mask.ts";
export { bitsetCount, bitsetToIndices, bitsetWords, indicesToBitset, rowCounts } from "./mask/bitset.ts";
export { keepToK } from "./mask/keep.ts";
export type { KeepSpec } from "./mask/keep.ts";
export { MAX_MASK_SIZE, ROW_NORMS } from "./mask/checks.ts";

// MaZO: importance, masks, masked scopes
export { calibrate, CALIBRATION_DEFAULTS } from "./mazo/calibrate.ts";
export type { CalibrationOptions, CalibrationTask, TaskStats } from "./mazo/calibrate.ts";
export { CALIBRATION_CANDIDATES, calibrationSequences } from "./mazo/calibration_set.ts";
export type { CalibrationCandidates } from "./mazo/calibration_set.ts";
export { SCORE_DEFAULTS, taskScores } from "./mazo/scores.ts";
export type { ScoreCoefficients } from "./mazo/scores.ts";
export { buildMasks, MASK_DEFAULTS, MASK_METHODS, maskOverlap, OTHER_GROUPS, randomScores } from "./mazo/masks.ts";
export type { MaskMethod, MaskOptions, MaskSelector, MaskSet } from "./mazo/masks.ts";
export { MaskedScope, masksByArena, splitByArena } from "./mazo/masked_scope.ts";
export type { ArenaSource, TensorMasks } from "./mazo/masked_scope.ts";
export { keptRows, loraBMask, rowImportance } from "./mazo/lora_mask.ts";
export { createLoraMaskedScope, loraMasks } from "./mazo/lora_scope.ts";
export type { LoraMaskOptions } from "./mazo/lora_scope.ts";
export { batchLoss, modelScoreFn } from "./mazo/loss.ts";

// Benchmarks (runtime-neutral)
export { benchForward, FORWARD_SHAPES, forwardTable, parseShapes } from "./bench/forward.ts";
export { benchSteps, stepTable } from "./bench/step.ts";
