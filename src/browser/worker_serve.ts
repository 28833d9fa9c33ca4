/**
 * The fine-tuning worker's message loop: `serveFineTune(self)` in a module worker answers "start"
 * requests with runRequest (one run at a time) and aborts the running one on "stop". The run's files
 * travel back in the "finished" message with their buffers transferred, not copied.
 */
import type { GpuContext } from "../gpu/context.ts";
import type { FetchFn } from "./fetch_source.ts";
import type { FinishedMessage, WorkerMessage, WorkerRequest } from "./protocol.ts";
import { runRequest } from "./run_request.ts";

/** The parts of a worker's global scope (or a MessagePort) the loop uses. */
export interface WorkerScope {
  addEventListener(type: "message", listener: (ev: MessageEvent) => void): void;
  postMessage(message: unknown, transfer: Transferable[]): void;
}

/** Options of {@link serveFineTune}. */
export interface ServeOptions {
  /** The fetch to read URLs with (default: the global fetch). */
  readonly fetch?: FetchFn;
  /** One GPU context for every run (default: a new one per run, destroyed after it). */
  readonly ctx?: GpuContext;
}

function refused(message: string): FinishedMessage {
  return { type: "finished", status: "error", message, files: {} };
}

/** Answers WorkerRequests posted to `scope` with WorkerMessages posted back (see src/browser/protocol.ts). */
export function serveFineTune(scope: WorkerScope, options: ServeOptions = {}): void {
  let running: AbortController | undefined;
  const post = (m: WorkerMessage, transfer: Transferable[] = []) => scope.postMessage(m, transfer);
  scope.addEventListener("message", (ev) => {
    const req = ev.data as WorkerRequest | undefined;
    if (req?.type === "stop") {
      running?.abort(new Error("stopped by a stop request"));
      return;
    }
    if (req?.type !== "start") {
      post(refused(`worker request: type must be "start" or "stop", got ${JSON.stringify((req as { type?: unknown } | undefined)?.type)}`));
      return;
    }
    if (running !== undefined) {
      post(refused("worker request: a run is already in progress; send \"stop\" first"));
      return;
    }
    const controller = new AbortController();
    running = controller;
    void runRequest(req, (m) => post(m), { ...options, signal: controller.signal }).then((finished) => {
      running = undefined;
      const buffers = new Set<ArrayBuffer>();
      for (const f of Object.values(finished.files)) if (f.buffer instanceof ArrayBuffer) buffers.add(f.buffer);
      post(finished, [...buffers]);
    });
  });
}
