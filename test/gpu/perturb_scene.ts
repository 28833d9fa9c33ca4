/**
 * Test arenas for the perturbation kernels: several tensors packed into one f32 buffer with padding
 * between them, one tensor split over two segments, the segments table listed out of order, and the
 * arena placed at a 256-byte offset inside a larger buffer whose other bytes must never change.
 */
import type { GpuContext } from "../../src/gpu/context.ts";
import { readBuffers } from "../../src/gpu/tensor.ts";
import type { ArenaPlan, ZoArena } from "../../src/kernels/perturb.ts";
import { packSegmentsRef, type RefTensorOptions } from "../../src/ref/perturb.ts";
import type { Rng } from "../harness/random.ts";

/** Elements before the arena in its buffer (256 bytes) and after it. */
export const LEAD = 64;
export const TAIL = 19;

export interface Scene {
  readonly arena: ZoArena;
  /** The whole buffer's initial contents (LEAD + elems + TAIL floats). */
  readonly initial: Float32Array;
  /** Elements per tensor id. */
  readonly sizes: ReadonlyMap<number, number>;
}

/**
 * Tensors (id, numel): (3, 1), (0, 257), (9, 300), (1, 97), and tensor 5 of 211 elements split into
 * [0, 130) and [130, 211) placed apart; padding gaps of 0..13 elements between them. `scale` sets the
 * normal spread of the values (padding and lead/tail too).
 */
export function makeScene(ctx: GpuContext, label: string, rng: Rng, scale: number): Scene {
  const parts: [number, number, number][] = [[3, 1, 0], [0, 257, 0], [5, 130, 0], [9, 300, 0], [1, 97, 0], [5, 81, 130]];
  const gaps = [0, 5, 13, 1, 7, 3];
  const segs: number[][] = [];
  let at = 0;
  parts.forEach(([id, count, first], k) => {
    at += gaps[k]!;
    segs.push([id, at, count, first]);
    at += count;
  });
  const elems = at + 11;
  // List the segments out of order: the plan must sort them.
  const order = [4, 0, 5, 2, 1, 3];
  const segments = new Uint32Array(order.flatMap((k) => segs[k]!));
  const initial = rng.normals(LEAD + elems + TAIL, scale);
  const buffer = ctx.memory.createBuffer(
    { label: `${label}.buffer`, size: initial.byteLength, usage: GPUBufferUsage.STORAGE | GPUBufferUsage.COPY_SRC | GPUBufferUsage.COPY_DST },
    "workspace",
  );
  ctx.device.queue.writeBuffer(buffer, 0, initial);
  const sizes = new Map<number, number>([[3, 1], [0, 257], [5, 211], [9, 300], [1, 97]]);
  return { arena: { label, buffer: { buffer, offset: LEAD * 4, size: elems * 4 }, elems, segments }, initial, sizes };
}

/** The arena's host copy (what the reference works on). */
export function arenaOf(scene: Scene): Float32Array {
  return scene.initial.slice(LEAD, LEAD + scene.arena.elems);
}

/** Reads the scene's whole buffer, throwing if anything outside the arena range changed; returns the arena. */
export async function readArena(ctx: GpuContext, scene: Scene): Promise<Float32Array> {
  const b = scene.arena.buffer;
  const [raw] = await readBuffers(ctx, ["buffer" in b ? b.buffer : b]);
  const all = new Float32Array(raw!);
  const u = new Uint32Array(raw!), u0 = new Uint32Array(scene.initial.buffer);
  for (let i = 0; i < all.length; i++) {
    if ((i < LEAD || i >= LEAD + scene.arena.elems) && u[i] !== u0[i]) {
      throw new Error(`${scene.arena.label}: element ${i} outside the arena binding changed from ${scene.initial[i]} to ${all[i]}`);
    }
  }
  return all.slice(LEAD, LEAD + scene.arena.elems);
}

/** Throws with the first differing index unless a and b are bit-identical. */
export function assertBitEqual(got: Float32Array, want: Float32Array, label: string): void {
  const a = new Uint32Array(got.buffer, got.byteOffset, got.length), b = new Uint32Array(want.buffer, want.byteOffset, want.length);
  if (a.length !== b.length) throw new Error(`${label}: length ${a.length}, expected ${b.length}`);
  let bad = 0, first = -1;
  for (let i = 0; i < a.length; i++) {
    if (a[i] !== b[i]) {
      bad++;
      if (first < 0) first = i;
    }
  }
  if (bad > 0) throw new Error(`${label}: ${bad} of ${a.length} elements differ in their bits; first at ${first}: got ${got[first]}, expected ${want[first]}`);
}

/** Largest |a - b|. */
export function maxAbsDiff(a: Float32Array, b: Float32Array): number {
  let m = 0;
  for (let i = 0; i < a.length; i++) m = Math.max(m, Math.abs(a[i]! - b[i]!));
  return m;
}

/**
 * The reference's own packed table for the plan's arena (src/ref/perturb.ts, separate code from
 * production's packSegments), after checking that the table the GPU reads is the same. Tests hand the
 * reference this table, never plan.table, so a wrong production table fails them.
 */
export function refTable(plan: ArenaPlan, options: RefTensorOptions = {}): Uint32Array {
  const want = packSegmentsRef(plan.arena.segments, plan.arena.elems, options);
  const got = plan.table;
  if (got.length !== want.length || got.some((w, k) => w !== want[k])) {
    throw new Error(`${plan.label}: the packed segment table [${[...got]}] differs from the reference's [${[...want]}]`);
  }
  return want;
}
