/**
 * Activation buffers of the forward pass for one (batch, length) shape, allocated once and reused by
 * every forward pass of that shape. Dimension letters: B batch, S slots per sequence (padded length),
 * D model dim, H/KV query/key-value heads, hd head dim, F FFN hidden dim, V vocabulary, R LM-head rows
 * per block.
 */
import type { GpuContext } from "../gpu/context.ts";
import { createTensor, destroyTensor, type Tensor } from "../gpu/tensor.ts";
import type { ModelConfig } from "./config.ts";

/** Rows of logits computed per LM-head block: as many as fit the budget and one binding, at most `rows`. */
export function lmHeadBlockRows(ctx: GpuContext, config: ModelConfig, rows: number, budgetBytes = 32 << 20): number {
  const rowBytes = config.vocabSize * 4;
  const r = Math.floor(Math.min(budgetBytes, ctx.bindingCap) / rowBytes);
  if (r < 1) throw new RangeError(`LM head: one row of ${config.vocabSize} logits (${rowBytes} bytes) exceeds the binding cap ${ctx.bindingCap}`);
  return Math.min(r, rows);
}

export class Activations {
  readonly batch: number;
  readonly slots: number;
  readonly tokens: Tensor<"u32">; // (B*S)
  readonly positions: Tensor<"u32">; // (B*S)
  readonly targets: Tensor<"i32">; // (B*S), -1 = no target
  readonly meta: Tensor<"u32">; // (B, 2): [qStart, kvLen]
  readonly x: Tensor<"f32">; // (B*S, D) residual stream
  readonly xb: Tensor<"f32">; // (B*S, D) normed input of a block
  readonly q: Tensor<"f32">; // (B*S, H*hd)
  readonly k: Tensor<"f32">; // (B*S, KV*hd) this layer's keys (new keys in decode mode)
  readonly v: Tensor<"f32">; // (B*S, KV*hd)
  readonly att: Tensor<"f32">; // (B*S, H*hd) attention output
  readonly h1: Tensor<"f32">; // (B*S, F) gate, then silu(gate) * up
  readonly h3: Tensor<"f32">; // (B*S, F) up
  readonly xBlock: Tensor<"f32">; // (R, D) rows of xb copied in for one LM-head block
  readonly tBlock: Tensor<"i32">; // (R) their targets
  readonly logits: Tensor<"f32">; // (R, V) one LM-head block
  readonly lpBlock: Tensor<"f32">; // (R) log-probabilities of one block
  readonly logp: Tensor<"f32">; // (B*S) log-probability of each target
  readonly blockRows: number;
  readonly #all: Tensor[];

  constructor(ctx: GpuContext, config: ModelConfig, batch: number, slots: number) {
    const n = batch * slots;
    const { dim, nHeads, nKvHeads, headDim, hiddenDim, vocabSize } = config;
    const lbl = (s: string) => `act(${batch}x${slots}).${s}`;
    this.batch = batch;
    this.slots = slots;
    this.blockRows = lmHeadBlockRows(ctx, config, n);
    this.tokens = createTensor(ctx, lbl("tokens"), [n], "u32", "activations");
    this.positions = createTensor(ctx, lbl("positions"), [n], "u32", "activations");
    this.targets = createTensor(ctx, lbl("targets"), [n], "i32", "activations");
    this.meta = createTensor(ctx, lbl("meta"), [batch, 2], "u32", "activations");
    this.x = createTensor(ctx, lbl("x"), [n, dim], "f32", "activations");
    this.xb = createTensor(ctx, lbl("xb"), [n, dim], "f32", "activations");
    this.q = createTensor(ctx, lbl("q"), [n, nHeads * headDim], "f32", "activations");
    this.k = createTensor(ctx, lbl("k"), [n, nKvHeads * headDim], "f32", "activations");
    this.v = createTensor(ctx, lbl("v"), [n, nKvHeads * headDim], "f32", "activations");
    this.att = createTensor(ctx, lbl("att"), [n, nHeads * headDim], "f32", "activations");
    this.h1 = createTensor(ctx, lbl("h1"), [n, hiddenDim], "f32", "activations");
    this.h3 = createTensor(ctx, lbl("h3"), [n, hiddenDim], "f32", "activations");
    this.xBlock = createTensor(ctx, lbl("xBlock"), [this.blockRows, dim], "f32", "workspace");
    this.tBlock = createTensor(ctx, lbl("tBlock"), [this.blockRows], "i32", "workspace");
    this.logits = createTensor(ctx, lbl("logits"), [this.blockRows, vocabSize], "f32", "workspace");
    this.lpBlock = createTensor(ctx, lbl("lpBlock"), [this.blockRows], "f32", "workspace");
    this.logp = createTensor(ctx, lbl("logp"), [n], "f32", "activations");
    this.#all = [this.tokens, this.positions, this.targets, this.meta, this.x, this.xb, this.q, this.k, this.v, this.att, this.h1, this.h3, this.xBlock, this.tBlock, this.logits, this.lpBlock, this.logp];
  }

  destroy(ctx: GpuContext): void {
    for (const t of this.#all) destroyTensor(ctx, t);
  }
}
