/** Host-side model weights: f32 tensors in canonical order (see canonical.ts) plus the config. */
import { canonicalTensors } from "./canonical.ts";
import { type ModelConfig, validateConfig } from "./config.ts";

/** One tensor on the host: its canonical name, shape and f32 values. */
export interface HostTensor {
  name: string;
  shape: number[];
  /** Row-major, numel(shape) elements. */
  data: Float32Array;
}

/** A whole model on the host: its config and every tensor (f32) in canonical order. */
export interface HostWeights {
  config: ModelConfig;
  /** In canonical order: tensors[id] is the tensor with that id. */
  tensors: HostTensor[];
}

/** Number of trainable parameters. */
export function paramCount(w: HostWeights): number {
  let n = 0;
  for (const t of w.tensors) n += t.data.length;
  return n;
}

/** Throws unless `w` holds exactly the canonical tensors of its config, in order, with matching sizes. */
export function checkHostWeights(w: HostWeights): HostWeights {
  validateConfig(w.config);
  const want = canonicalTensors(w.config);
  if (w.tensors.length !== want.length) {
    throw new RangeError(`weights: ${w.tensors.length} tensors, the config needs ${want.length} (${want.map((t) => t.name).join(", ")})`);
  }
  want.forEach((c, i) => {
    const t = w.tensors[i]!;
    if (t.name !== c.name) throw new RangeError(`weights: tensor ${i} is "${t.name}", expected "${c.name}"`);
    if (t.shape.length !== c.shape.length || t.shape.some((d, k) => d !== c.shape[k])) {
      throw new RangeError(`weights: ${t.name} has shape [${t.shape.join(", ")}], expected [${c.shape.join(", ")}]`);
    }
    const n = c.shape.reduce((a, b) => a * b, 1);
    if (t.data.length !== n) throw new RangeError(`weights: ${t.name} holds ${t.data.length} values, shape [${c.shape.join(", ")}] needs ${n}`);
  });
  return w;
}

/** A name -> tensor map of `w` (for code that reads tensors by name). */
export function tensorsByName(w: HostWeights): Map<string, HostTensor> {
  return new Map(w.tensors.map((t) => [t.name, t]));
}
