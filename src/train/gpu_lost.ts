/** The GPU device was lost during a run (driver reset, tab backgrounded, device.destroy()). */

/** Thrown by fineTune when the device was lost; `checkpoint` is the step of the last checkpoint written, if any. */
export class GpuLostError extends Error {
  override readonly name = "GpuLostError";
  constructor(message: string, readonly checkpoint: number | undefined, options?: ErrorOptions) {
    super(message, options);
  }
}
