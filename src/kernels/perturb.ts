/**
 * Host wrappers for the seeded MeZO/MaZO perturbation kernels (shaders/perturb*.wgsl): in-place
 * theta += scale*z and theta -= coef*z + decay*theta over whole parameter arena buffers (one dispatch per
 * arena, one pass over it), their exact grid mode, and the masked variants over index lists whose cost
 * grows with the mask. z = z(seed, tensorId, flat index) of src/zo/rng.ts; the plain references in
 * src/ref/perturb.ts match bit for bit. docs/rng.md explains the construction and the exact mode.
 */
import { WGSL } from "../gen/shaders.ts";
import type { GpuContext } from "../gpu/context.ts";
import { grid1d } from "../gpu/grid.ts";
import type { KernelDef } from "../gpu/pipelines.ts";
import { Recorder, type StorageBinding } from "../gpu/recorder.ts";
import { readBuffers } from "../gpu/tensor.ts";
import { GRID_ROUND_STREAM } from "../zo/grid.ts";
import { zValue } from "../zo/rng.ts";
import { maskPositions, packSegments, SEG_WORDS, type ZoTensorOptions } from "../zo/segments.ts";
import { withRng } from "./with_rng.ts";

const WG = 256;

const kernel = (name: string, wgsl: string): KernelDef => ({ name, wgsl, entryPoint: "main", workgroupSize: (o) => [o.WG ?? WG, 1, 1] });
export const PERTURB_KERNEL: KernelDef = kernel("perturb", withRng(WGSL.perturb, { segments: true }));
export const PERTURB_GRID_KERNEL: KernelDef = kernel("perturb_grid", withRng(WGSL.perturb_grid, { segments: true }));
export const PERTURB_MASKED_KERNEL: KernelDef = kernel("perturb_masked", withRng(WGSL.perturb_masked, { segments: true }));
export const PERTURB_MASKED_COPY_KERNEL: KernelDef = kernel("perturb_masked_copy", WGSL.perturb_masked_copy);

/**
 * One parameter arena buffer and the tensors' segments in it (4 u32 each, see src/zo/segments.ts).
 * src/model/param_store.ts's ArenaBuffer is one.
 */
export interface ZoArena {
  /** Names GPU objects and errors (default: the buffer's label). */
  readonly label?: string;
  /** The f32 storage holding the arena (a whole buffer or a byte range of one). */
  readonly buffer: StorageBinding;
  /** Elements in the arena, padding included. */
  readonly elems: number;
  /** tensorId, startElem, count, firstIndex per segment. */
  readonly segments: Uint32Array;
}

/** An arena with its packed segment table on the GPU; make once per arena with createArenaPlan. */
export interface ArenaPlan {
  readonly arena: ZoArena;
  readonly label: string;
  /** Packed table (SEG_WORDS u32 per segment), as uploaded. */
  readonly table: Uint32Array;
  readonly nseg: number;
  readonly tableBuffer: GPUBuffer;
  /** 4 u32 of exact-mode status bits (GRID_* in src/zo/grid.ts). */
  readonly statusBuffer: GPUBuffer;
}

/** A mask over one arena: k distinct arena positions on the GPU. */
export interface MaskPlan {
  readonly plan: ArenaPlan;
  /** Arena positions, in the order of the masks given. */
  readonly positions: Uint32Array;
  readonly count: number;
  readonly buffer: GPUBuffer;
}

function bindingBytes(b: StorageBinding): number {
  return "buffer" in b ? b.size : b.size;
}

function assertSeed(op: string, seed: number): void {
  if (!Number.isInteger(seed) || seed < 0 || seed >= 2 ** 32) throw new RangeError(`${op}: seed must be an integer in [0, 2^32), got ${seed}`);
}

function assertFinite(op: string, name: string, x: number): void {
  if (!Number.isFinite(x)) throw new RangeError(`${op}: ${name} must be finite, got ${x}`);
}

/** Validates the arena's segments, packs them with the per-tensor options and uploads the table. */
export function createArenaPlan(ctx: GpuContext, arena: ZoArena, options: ZoTensorOptions = {}): ArenaPlan {
  const label = arena.label ?? ("buffer" in arena.buffer ? arena.buffer.buffer.label : arena.buffer.label);
  if (!Number.isInteger(arena.elems) || arena.elems < 0 || arena.elems * 4 > bindingBytes(arena.buffer)) {
    throw new RangeError(`createArenaPlan: ${label} has elems ${arena.elems}; it must be a non-negative integer with 4*elems <= the binding's ${bindingBytes(arena.buffer)} bytes`);
  }
  const table = packSegments(arena.segments, arena.elems, options);
  const usage = GPUBufferUsage.STORAGE | GPUBufferUsage.COPY_DST | GPUBufferUsage.COPY_SRC;
  const tableBuffer = ctx.memory.createBuffer({ label: `${label}.zoSegments`, size: Math.max(32, table.byteLength), usage }, "workspace");
  ctx.device.queue.writeBuffer(tableBuffer, 0, table);
  const statusBuffer = ctx.memory.createBuffer({ label: `${label}.zoStatus`, size: 16, usage }, "workspace");
  return { arena, label, table, nseg: table.length / SEG_WORDS, tableBuffer, statusBuffer };
}

/** Frees the plan's table and status buffers (not the arena). */
export function destroyArenaPlan(ctx: GpuContext, plan: ArenaPlan): void {
  ctx.memory.destroy(plan.tableBuffer);
  ctx.memory.destroy(plan.statusBuffer);
}

/**
 * Records theta = (theta - coef*z) - decay*theta on every element of the arena's segments (the decay
 * term on tensors flagged for weight decay): the MeZO update with coef = lr*g, decay = lr*wd.
 */
export function updateArena(ctx: GpuContext, rec: Recorder, plan: ArenaPlan, seed: number, coef: number, decay: number): void {
  assertSeed("updateArena", seed);
  assertFinite("updateArena", "coef", coef);
  assertFinite("updateArena", "decay", decay);
  if (plan.nseg === 0) return;
  rec.dispatch({
    kernel: PERTURB_KERNEL,
    overrides: { WG },
    uniforms: [["u32", seed], ["u32", plan.arena.elems], ["u32", plan.nseg], ["f32", coef], ["f32", decay], ["u32", 0]],
    storage: [plan.arena.buffer, plan.tableBuffer],
    workgroups: grid1d(plan.arena.elems, WG, ctx.limits.maxComputeWorkgroupsPerDimension),
  });
}

/** Records theta += scale*z on every element of the arena's segments (scale = +eps, -2eps, +eps). */
export function perturbArena(ctx: GpuContext, rec: Recorder, plan: ArenaPlan, seed: number, scale: number): void {
  assertFinite("perturbArena", "scale", scale);
  updateArena(ctx, rec, plan, seed, -scale, 0);
}

function gridDispatch(ctx: GpuContext, rec: Recorder, plan: ArenaPlan, seed: number, mode: number, a: number, decay: number, k: number): void {
  if (plan.nseg === 0) return;
  rec.dispatch({
    kernel: PERTURB_GRID_KERNEL,
    overrides: { WG, ROUND_STREAM: GRID_ROUND_STREAM },
    uniforms: [["u32", seed], ["u32", plan.arena.elems], ["u32", plan.nseg], ["u32", mode], ["f32", a], ["f32", decay], ["i32", k], ["u32", 0]],
    storage: [plan.arena.buffer, plan.tableBuffer, plan.statusBuffer],
    workgroups: grid1d(plan.arena.elems, WG, ctx.limits.maxComputeWorkgroupsPerDimension),
  });
}

/**
 * Exact mode: records theta += k * eps*z rounded onto each tensor's grid 2^gridExp, in integer steps,
 * so the sequence k = +1, -2, +1 returns every element bit-exactly. The arena must be on its grid
 * (quantizeArena, and updates with updateArenaExact); status bits report violations (readGridStatus).
 */
export function perturbArenaExact(ctx: GpuContext, rec: Recorder, plan: ArenaPlan, seed: number, eps: number, k: number): void {
  assertSeed("perturbArenaExact", seed);
  assertFinite("perturbArenaExact", "eps", eps);
  if (!Number.isInteger(k) || Math.abs(k) > 4) throw new RangeError(`perturbArenaExact: k must be an integer in [-4, 4], got ${k}`);
  gridDispatch(ctx, rec, plan, seed, 0, eps, 0, k);
}

/**
 * Exact mode: records the update of updateArena, s = coef*z + decay*theta, with each result rounded onto
 * its tensor's grid stochastically (q = round(q) + floor(frac(q) - s/2^g + u), u a counter-based uniform
 * of (seed, tensor, index, coef)): an update below one grid step still moves the weights by the right
 * amount on average, and the same call always gives the same bits (replay stays bit-exact).
 */
export function updateArenaExact(ctx: GpuContext, rec: Recorder, plan: ArenaPlan, seed: number, coef: number, decay: number): void {
  assertSeed("updateArenaExact", seed);
  assertFinite("updateArenaExact", "coef", coef);
  assertFinite("updateArenaExact", "decay", decay);
  gridDispatch(ctx, rec, plan, seed, 1, coef, decay, 0);
}

/** Exact mode: records rounding every segment element to the nearest point of its tensor's grid (once, before training). */
export function quantizeArena(ctx: GpuContext, rec: Recorder, plan: ArenaPlan): void {
  gridDispatch(ctx, rec, plan, 0, 2, 0, 0, 0);
}

/** The exact-mode status bits (GRID_* of src/zo/grid.ts) or-ed since the last reset. */
export async function readGridStatus(ctx: GpuContext, plan: ArenaPlan): Promise<number> {
  const [raw] = await readBuffers(ctx, [plan.statusBuffer]);
  return new Uint32Array(raw!)[0]!;
}

/** Clears the exact-mode status bits. */
export function resetGridStatus(ctx: GpuContext, plan: ArenaPlan): void {
  ctx.device.queue.writeBuffer(plan.statusBuffer, 0, new Uint32Array(4));
}

/**
 * Maps per-tensor sorted flat-index lists (tensorId -> indices) to arena positions and uploads them.
 * Tensors absent from the map are not touched by the masked kernels.
 */
export function createMaskPlan(ctx: GpuContext, plan: ArenaPlan, masks: ReadonlyMap<number, Uint32Array>): MaskPlan {
  const positions = maskPositions(plan.table, masks);
  const buffer = ctx.memory.createBuffer(
    { label: `${plan.label}.maskPositions`, size: Math.max(16, positions.byteLength), usage: GPUBufferUsage.STORAGE | GPUBufferUsage.COPY_DST },
    "workspace",
  );
  ctx.device.queue.writeBuffer(buffer, 0, positions);
  return { plan, positions, count: positions.length, buffer };
}

/** Frees the mask's position buffer. */
export function destroyMaskPlan(ctx: GpuContext, mask: MaskPlan): void {
  ctx.memory.destroy(mask.buffer);
}

/** A buffer for saveMasked/restoreMasked: one f32 per masked position. */
export function createMaskSave(ctx: GpuContext, mask: MaskPlan): GPUBuffer {
  return ctx.memory.createBuffer(
    { label: `${mask.plan.label}.maskSaved`, size: Math.max(16, mask.count * 4), usage: GPUBufferUsage.STORAGE | GPUBufferUsage.COPY_SRC | GPUBufferUsage.COPY_DST },
    "workspace",
  );
}

/** Records theta = (theta - coef*z) - decay*theta at the masked positions only. */
export function updateMasked(ctx: GpuContext, rec: Recorder, mask: MaskPlan, seed: number, coef: number, decay: number): void {
  assertSeed("updateMasked", seed);
  assertFinite("updateMasked", "coef", coef);
  assertFinite("updateMasked", "decay", decay);
  if (mask.count === 0 || mask.plan.nseg === 0) return;
  rec.dispatch({
    kernel: PERTURB_MASKED_KERNEL,
    overrides: { WG },
    uniforms: [["u32", seed], ["u32", mask.count], ["u32", mask.plan.nseg], ["f32", coef], ["f32", decay], ["u32", 0]],
    storage: [mask.plan.arena.buffer, mask.plan.tableBuffer, mask.buffer],
    workgroups: grid1d(mask.count, WG, ctx.limits.maxComputeWorkgroupsPerDimension),
  });
}

/** Records theta += scale*z at the masked positions only. */
export function perturbMasked(ctx: GpuContext, rec: Recorder, mask: MaskPlan, seed: number, scale: number): void {
  assertFinite("perturbMasked", "scale", scale);
  updateMasked(ctx, rec, mask, seed, -scale, 0);
}

function maskedCopy(ctx: GpuContext, rec: Recorder, op: string, mask: MaskPlan, saved: GPUBuffer, mode: number): void {
  if (saved.size < mask.count * 4) throw new RangeError(`${op}: ${saved.label} has ${saved.size} bytes; ${mask.count} masked values need ${mask.count * 4}`);
  if (mask.count === 0) return;
  rec.dispatch({
    kernel: PERTURB_MASKED_COPY_KERNEL,
    overrides: { WG },
    uniforms: [["u32", mask.count], ["u32", mode]],
    storage: [mask.plan.arena.buffer, saved, mask.buffer],
    workgroups: grid1d(mask.count, WG, ctx.limits.maxComputeWorkgroupsPerDimension),
  });
}

/** Records copying the masked values into `saved` (before the first perturbation of a step). */
export function saveMasked(ctx: GpuContext, rec: Recorder, mask: MaskPlan, saved: GPUBuffer): void {
  maskedCopy(ctx, rec, "saveMasked", mask, saved, 0);
}

/** Records writing `saved` back to the masked positions, restoring them bit-exactly. */
export function restoreMasked(ctx: GpuContext, rec: Recorder, mask: MaskPlan, saved: GPUBuffer): void {
  maskedCopy(ctx, rec, "restoreMasked", mask, saved, 1);
}

/** How the device's z agrees with the TypeScript reference over one index range. */
export interface RngAgreement {
  readonly count: number;
  /** Indices whose f32 bits differ. */
  readonly mismatches: number;
  readonly maxAbsDiff: number;
  /** Largest |gpu - ts| / max(|ts|, 2^-10) (z is never smaller than 2^-10 in magnitude unless 0). */
  readonly maxRelDiff: number;
}

/**
 * Computes z(seed, tensorId, index0 + i) for i < count on the device (perturbArena with scale 1 on a
 * zero arena, which yields z exactly) and compares it with src/zo/rng.ts. Reusable on any runtime.
 */
export async function rngAgreement(ctx: GpuContext, seed: number, tensorId: number, index0: number, count: number): Promise<RngAgreement> {
  if (!Number.isInteger(count) || count < 1 || count * 4 > ctx.bindingCap) throw new RangeError(`rngAgreement: count must be an integer in [1, ${ctx.bindingCap / 4}], got ${count}`);
  if (!Number.isInteger(index0) || index0 < 0 || index0 + count > 2 ** 32) throw new RangeError(`rngAgreement: indices ${index0}..${index0 + count} must lie in [0, 2^32)`);
  const buffer = ctx.memory.createBuffer({ label: "rngAgreement.z", size: count * 4, usage: GPUBufferUsage.STORAGE | GPUBufferUsage.COPY_SRC }, "workspace");
  const plan = createArenaPlan(ctx, { label: "rngAgreement", buffer, elems: count, segments: new Uint32Array([tensorId, 0, count, index0]) });
  try {
    const rec = new Recorder(ctx, "rngAgreement");
    perturbArena(ctx, rec, plan, seed, 1);
    rec.submit();
    const [raw] = await readBuffers(ctx, [buffer]);
    const got = new Float32Array(raw!);
    let mismatches = 0, maxAbsDiff = 0, maxRelDiff = 0;
    for (let i = 0; i < count; i++) {
      const want = zValue(seed, tensorId, index0 + i);
      const d = Math.abs(got[i]! - want);
      if (!Object.is(got[i]!, want) && !(got[i] === 0 && want === 0)) mismatches++;
      maxAbsDiff = Math.max(maxAbsDiff, d);
      maxRelDiff = Math.max(maxRelDiff, d / Math.max(Math.abs(want), 2 ** -10));
    }
    return { count, mismatches, maxAbsDiff, maxRelDiff };
  } finally {
    destroyArenaPlan(ctx, plan);
    ctx.memory.destroy(buffer);
  }
}
