// Public API of mazo. This file only re-exports.
export { createGpuContext } from "./gpu/context.ts";
export type { AdapterSummary, GpuContext, GpuContextOptions, GpuFault } from "./gpu/context.ts";
export { BACKEND_CHOICES } from "./gpu/adapter.ts";
export type { BackendChoice } from "./gpu/adapter.ts";
export { Recorder } from "./gpu/recorder.ts";
export { createTensor, destroyTensor, readTensor, uploadTensor, writeTensor } from "./gpu/tensor.ts";
export type { DType, Tensor, TensorChunk } from "./gpu/tensor.ts";
export { add } from "./kernels/add.ts";
