/**
 * The kernel checks `mazo selfcheck` runs: each runs one kernel on random data and compares it with the
 * expected values, computed here in plain loops (production code never imports src/ref).
 */
import type { GpuContext } from "../gpu/context.ts";
import { Recorder } from "../gpu/recorder.ts";
import { destroyTensor, readTensor, uploadTensor } from "../gpu/tensor.ts";
import { add } from "../kernels/add.ts";

export interface SelfcheckResult {
  readonly shape: string;
  /** Largest |gpu - ref| / (1 + |ref|). */
  readonly maxErr: number;
  readonly tol: number;
}

export interface Selfcheck {
  readonly name: string;
  run(ctx: GpuContext): Promise<SelfcheckResult>;
}

/** Deterministic pseudo-random normals for the checks (no test harness in the product). */
export function randomNormals(n: number, seed: number): Float32Array {
  const out = new Float32Array(n);
  let s = seed >>> 0;
  const uniform = () => {
    s = (s + 0x6d2b79f5) >>> 0;
    let t = Math.imul(s ^ (s >>> 15), s | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return (((t ^ (t >>> 14)) >>> 0) + 0.5) / 4294967296;
  };
  for (let i = 0; i < n; i++) out[i] = Math.sqrt(-2 * Math.log(uniform())) * Math.cos(2 * Math.PI * uniform());
  return out;
}

/** max |a - b| / (1 + |b|). */
export function scaledMaxErr(a: ArrayLike<number>, b: ArrayLike<number>): number {
  let m = 0;
  for (let i = 0; i < a.length; i++) m = Math.max(m, Math.abs(a[i]! - b[i]!) / (1 + Math.abs(b[i]!)));
  return m;
}

const addCheck: Selfcheck = {
  name: "add",
  async run(ctx) {
    const [t, d] = [37, 129];
    const xh = randomNormals(t * d, 1);
    const yh = randomNormals(t * d, 2);
    const x = uploadTensor(ctx, "selfcheck.add.x", [t, d], "f32", xh, "workspace");
    const y = uploadTensor(ctx, "selfcheck.add.y", [t, d], "f32", yh, "workspace");
    const rec = new Recorder(ctx, "selfcheck.add");
    add(ctx, rec, x, y);
    rec.submit();
    const got = await readTensor(ctx, x);
    for (let i = 0; i < xh.length; i++) xh[i] = xh[i]! + yh[i]!; // f32 x + y, what the kernel computes
    destroyTensor(ctx, x);
    destroyTensor(ctx, y);
    return { shape: `${t}x${d}`, maxErr: scaledMaxErr(got, xh), tol: 0 };
  },
};

export const SELFCHECKS: readonly Selfcheck[] = [addCheck];
