/**
 * The default sequence-length limit of task runs: the model's context, at most MeZO's 2048
 * (large_models/run.py --max_length), and at most what one forward pass's activations can hold. A
 * limit is an upper bound, not a padding length: batches are padded to their longest sequence, so a
 * generous limit only changes examples that are that long (BoolQ and RTE passages), which then keep
 * their question instead of losing their start.
 */
import type { ModelConfig } from "../model/config.ts";

/** MeZO's --max_length. */
export const MEZO_MAX_LENGTH = 2048;

/** Sequences per scoring forward pass (src/mazo/loss.ts modelScoreFn's default). */
export const SEQUENCES_PER_PASS = 64;

/** f32 values per sequence position held by the forward pass's activations (src/model/activations.ts). */
export function activationFloatsPerRow(c: ModelConfig): number {
  return 2 * c.dim + 2 * c.nHeads * c.headDim + 2 * c.nKvHeads * c.headDim + 2 * c.hiddenDim + 4;
}

/**
 * The longest sequence whose forward pass, `SEQUENCES_PER_PASS` sequences at once, keeps its
 * activations within `maxBufferSize` bytes (one GPU buffer's limit: a proxy for what fits memory),
 * and never below 64 tokens.
 */
export function memoryCapLength(c: ModelConfig, maxBufferSize: number): number {
  return Math.max(64, Math.floor(maxBufferSize / (4 * activationFloatsPerRow(c) * SEQUENCES_PER_PASS)));
}

/**
 * The sequence-length limit of a run: `requested` (capped by the model's context) or, when it is
 * undefined, min(context, {@link MEZO_MAX_LENGTH}, {@link memoryCapLength}).
 */
export function resolveMaxLength(requested: number | undefined, c: ModelConfig, limits: { readonly maxBufferSize: number }): number {
  if (requested !== undefined) return Math.min(requested, c.maxSeqLen);
  return Math.min(c.maxSeqLen, MEZO_MAX_LENGTH, memoryCapLength(c, limits.maxBufferSize));
}
