/**
 * Weight checkpoints in the run's Object Store, for re-syncing a worker whose weights deviate: the
 * coordinator's worker uploads its weights ("weights/<step>") every `hashEvery` steps and writes
 * {step, hash} to the state key "checkpoint"; a worker whose own hash at that step differs rebuilds its
 * replica from those weights and replays the steps after it. The bytes: a u32 (little-endian) length,
 * a JSON header (config, tensor names and shapes), then each tensor's f32 words.
 */
import type { HostWeights } from "../model/weights.ts";

/** HostWeights -> bytes. */
export function encodeWeights(w: HostWeights): Uint8Array {
  const head = new TextEncoder().encode(JSON.stringify({ config: w.config, tensors: w.tensors.map((t) => ({ name: t.name, shape: t.shape })) }));
  const pad = (4 - ((4 + head.length) % 4)) % 4;
  const words = w.tensors.reduce((a, t) => a + t.data.length, 0);
  const out = new Uint8Array(4 + head.length + pad + 4 * words);
  new DataView(out.buffer).setUint32(0, head.length, true);
  out.set(head, 4);
  let o = 4 + head.length + pad;
  for (const t of w.tensors) {
    out.set(new Uint8Array(t.data.buffer, t.data.byteOffset, 4 * t.data.length), o);
    o += 4 * t.data.length;
  }
  return out;
}

/** bytes -> HostWeights (copies, so the result owns aligned buffers). */
export function decodeWeights(b: Uint8Array): HostWeights {
  if (b.length < 4) throw new RangeError(`swarm checkpoint: ${b.length} bytes is too short`);
  const n = new DataView(b.buffer, b.byteOffset, b.length).getUint32(0, true);
  if (4 + n > b.length) throw new RangeError(`swarm checkpoint: header of ${n} bytes in ${b.length} bytes`);
  const head = JSON.parse(new TextDecoder().decode(b.subarray(4, 4 + n))) as { config: HostWeights["config"]; tensors: { name: string; shape: number[] }[] };
  let o = 4 + n + ((4 - ((4 + n) % 4)) % 4);
  const tensors = head.tensors.map((t) => {
    const len = t.shape.reduce((a, d) => a * d, 1);
    if (o + 4 * len > b.length) throw new RangeError(`swarm checkpoint: tensor ${t.name} ${JSON.stringify(t.shape)} runs past the end (${b.length} bytes)`);
    const data = new Float32Array(b.slice(o, o + 4 * len).buffer);
    o += 4 * len;
    return { name: t.name, shape: t.shape, data };
  });
  if (o !== b.length) throw new RangeError(`swarm checkpoint: ${b.length - o} bytes left after the tensors`);
  return { config: head.config, tensors } as HostWeights;
}
