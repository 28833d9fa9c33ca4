/**
 * Output tensors pre-filled with a sentinel (data and slack alike), so unwritten outputs show up as
 * mismatches and writes past the end of a chunk are caught when the slack is read back changed.
 */
import type { GpuContext } from "../../src/gpu/context.ts";
import { chunkBinding, createTensor, numel, readBuffers, type Tensor } from "../../src/gpu/tensor.ts";

/** The sentinel value: a float no kernel produces by accident. */
export const SENTINEL = -7.77e33;
/** Slack elements after every chunk of a test output. */
export const SLACK = 17;

/** An f32 output tensor of `shape` filled with SENTINEL, with SLACK sentinel elements after each chunk. */
export function sentinelTensor(ctx: GpuContext, label: string, shape: readonly number[], maxRowsPerChunk?: number): Tensor<"f32"> {
  const t = createTensor(ctx, label, shape, "f32", "workspace", maxRowsPerChunk === undefined ? { slackElems: SLACK } : { slackElems: SLACK, maxRowsPerChunk });
  for (const c of t.chunks) {
    const fill = new Float32Array(c.buffer.size / 4).fill(SENTINEL);
    ctx.device.queue.writeBuffer(c.buffer, c.offset, fill);
  }
  return t;
}

/** Reads a sentinel tensor's data, throwing if any slack element after a chunk was overwritten. */
export async function readChecked(ctx: GpuContext, t: Tensor<"f32">): Promise<Float32Array> {
  const raw = await readBuffers(ctx, t.chunks.map(chunkBinding));
  const out = new Float32Array(numel(t.shape));
  const sentinel = new Float32Array([SENTINEL])[0]!;
  t.chunks.forEach((c, k) => {
    const all = new Float32Array(raw[k]!);
    const n = c.rows * t.rowElems;
    for (let i = n; i < n + t.slackElems; i++) {
      if (all[i] !== sentinel) {
        throw new Error(`${t.label}: out-of-bounds write: chunk ${k} (rows ${c.row0}..${c.row0 + c.rows}) slack element ${i - n} is ${all[i]}, not the sentinel`);
      }
    }
    out.set(all.subarray(0, n), c.row0 * t.rowElems);
  });
  return out;
}
