/**
 * The golden forward check of a llama2.c checkpoint against a golden.json (made from llama2.c's run.c;
 * see ../shared/data/stories260K/SOURCE.txt): logits after BOS, logits after a prompt, and greedy
 * tokens from BOS. Runs wherever the model runs (page, worker, extension, Node, Deno) and returns
 * numbers, so callers decide tolerances and tests compare them.
 */
import type { LlamaModel } from "../model/forward.ts";
import { generate } from "../model/generate.ts";

/** The parts of golden.json the check reads. */
export interface GoldenForward {
  readonly logits_pos0_after_bos: readonly number[];
  readonly logits_after_prompt: { readonly prompt_ids: readonly number[]; readonly logits_last: readonly number[]; readonly argmax: number };
  readonly greedy_from_bos: { readonly ids: readonly number[] };
}

/** What the check measured; `ok`: both logit comparisons within tolerance, the prompt's argmax and the greedy ids equal. */
export interface GoldenReport {
  readonly ok: boolean;
  readonly tolerance: number;
  /** max |logit - golden| after BOS (V values), and whether every |diff| <= tolerance*(1 + |golden|). */
  readonly bosMaxAbsDiff: number;
  readonly bosOk: boolean;
  /** max |logit - golden| at the prompt's last position. */
  readonly promptMaxAbsDiff: number;
  readonly promptOk: boolean;
  readonly promptArgmax: number;
  readonly promptArgmaxExpected: number;
  /** Greedy tokens generated from BOS, and golden.json's first as many. */
  readonly greedyIds: readonly number[];
  readonly greedyExpected: readonly number[];
  readonly greedyEqual: boolean;
  readonly millis: number;
}

/** Options of {@link goldenForwardCheck}. */
export interface GoldenCheckOptions {
  /** Greedy tokens to generate from BOS (default 20). */
  readonly greedyTokens?: number;
  /** Tolerance on |logit - golden| (default 1e-4 + 1e-4*|golden|, as test/gpu/forward.test.ts). */
  readonly tolerance?: number;
}

function maxAbsDiff(got: ArrayLike<number>, want: readonly number[], what: string): { max: number; within: (tol: number) => boolean } {
  if (got.length !== want.length) throw new RangeError(`${what}: ${got.length} logits, golden has ${want.length}`);
  let max = 0;
  const excess: number[] = [];
  for (let i = 0; i < want.length; i++) {
    const d = Math.abs(got[i]! - want[i]!);
    if (!(d <= max)) max = d; // NaN propagates
    excess.push(d / (1 + Math.abs(want[i]!)));
  }
  return { max, within: (tol) => excess.every((e) => e <= tol) };
}

/** Runs the golden forward check of `model` (a stories260K-shaped model) against `golden`. */
export async function goldenForwardCheck(model: LlamaModel, golden: GoldenForward, options: GoldenCheckOptions = {}): Promise<GoldenReport> {
  const t0 = performance.now();
  const tolerance = options.tolerance ?? 1e-4;
  const nGreedy = options.greedyTokens ?? 20;
  if (!Number.isInteger(nGreedy) || nGreedy < 1) throw new RangeError(`goldenForwardCheck: greedyTokens must be a positive integer, got ${nGreedy}`);
  const V = model.config.vocabSize;
  const [bos] = await model.logits([[model.config.bosId]]);
  const bosDiff = maxAbsDiff(bos!, golden.logits_pos0_after_bos, "logits after BOS");
  const ids = golden.logits_after_prompt.prompt_ids;
  const [all] = await model.logits([ids]);
  const last = all!.subarray((ids.length - 1) * V, ids.length * V);
  const promptDiff = maxAbsDiff(last, golden.logits_after_prompt.logits_last, "logits after the prompt");
  let argmax = 0;
  for (let i = 1; i < V; i++) if (last[i]! > last[argmax]!) argmax = i;
  const greedyIds = await generate(model, [model.config.bosId], { maxTokens: nGreedy, temperature: 0 });
  const greedyExpected = golden.greedy_from_bos.ids.slice(0, nGreedy);
  const greedyEqual = greedyIds.length === greedyExpected.length && greedyIds.every((x, i) => x === greedyExpected[i]);
  const promptArgmaxExpected = golden.logits_after_prompt.argmax;
  const bosOk = bosDiff.within(tolerance);
  const promptOk = promptDiff.within(tolerance) && argmax === promptArgmaxExpected;
  return {
    ok: bosOk && promptOk && greedyEqual,
    tolerance,
    bosMaxAbsDiff: bosDiff.max,
    bosOk,
    promptMaxAbsDiff: promptDiff.max,
    promptOk,
    promptArgmax: argmax,
    promptArgmaxExpected,
    greedyIds,
    greedyExpected,
    greedyEqual,
    millis: performance.now() - t0,
  };
}
