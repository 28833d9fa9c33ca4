/**
 * Streaming weight uploads: a Hugging Face folder goes to the GPU tensor by tensor (read its bytes, convert
 * to the storage dtype, queue.writeBuffer, drop), so host memory stays near the largest tensor. Every
 * UPLOAD_DRAIN_BYTES written, the queue is drained (onSubmittedWorkDone) so the runtime's staging copies
 * of earlier tensors are freed before more are read. Works with any FileSource (disk, Blob, HTTP Range).
 */
import type { GpuContext } from "../gpu/context.ts";
import type { WeightDtype } from "./half.ts";
import { type FileSource, type HfFolderPlan, readHfTensor } from "./hf.ts";
import { assertFinite } from "./finite.ts";
import { ParamStore } from "./param_store.ts";
import { checkHostWeights, type HostWeights } from "./weights.ts";

/** Bytes written between queue drains. */
export const UPLOAD_DRAIN_BYTES = 32 << 20;

/** Streams the folder's tensors into a new ParamStore with matrices and embeddings in `dtype`. */
export async function uploadHfFolder(ctx: GpuContext, src: FileSource, plan: HfFolderPlan, dtype: WeightDtype): Promise<ParamStore> {
  const store = ParamStore.create(ctx, plan.config, { dtype });
  try {
    let pending = 0;
    for (const t of plan.tensors) {
      const values = await readHfTensor(src, t);
      assertFinite(src.label, t.spec.name, t.spec.shape, values);
      store.write(ctx, t.spec.id, values);
      pending += t.entry.end - t.entry.begin;
      if (pending >= UPLOAD_DRAIN_BYTES) {
        await ctx.device.queue.onSubmittedWorkDone();
        pending = 0;
      }
    }
    await ctx.device.queue.onSubmittedWorkDone();
    ctx.throwIfFaulted();
  } catch (e) {
    store.destroy(ctx);
    throw e;
  }
  return store;
}

/** Uploads host weights into a new ParamStore in `dtype`, draining the queue as it goes. */
export async function uploadHostWeights(ctx: GpuContext, weights: HostWeights, dtype: WeightDtype, label = "weights"): Promise<ParamStore> {
  checkHostWeights(weights);
  const store = ParamStore.create(ctx, weights.config, { dtype });
  let pending = 0;
  for (const [id, t] of weights.tensors.entries()) {
    const values = { dtype: "f32", data: t.data } as const;
    try {
      assertFinite(label, t.name, t.shape, values);
    } catch (e) {
      store.destroy(ctx);
      throw e;
    }
    store.write(ctx, id, values);
    pending += t.data.byteLength;
    if (pending >= UPLOAD_DRAIN_BYTES) {
      await ctx.device.queue.onSubmittedWorkDone();
      pending = 0;
    }
  }
  await ctx.device.queue.onSubmittedWorkDone();
  return store;
}
