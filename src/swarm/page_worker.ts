/**
 * A swarm worker in a browser page (or a Web Worker): fetches the base model (llama2.c .bin) and the
 * tokenizer, opens the page's WebGPU context, connects to nats-server over WebSocket and works on the
 * run until it is done, exactly like `mazo swarm worker` (src/swarm/worker.ts). Runs unchanged in Deno
 * and Node too (WebSocket is global there).
 */
import { createGpuContext } from "../gpu/context.ts";
import { parseLlama2c } from "../model/llama2c.ts";
import { loadTokenizer } from "../tokenizer/load.ts";
import { openRun } from "./connection.ts";
import { runWorker, type WorkerEvent, type WorkerResult } from "./worker.ts";
import { connectNatsWs } from "./ws_connect.ts";

export interface PageWorkerOptions {
  /** WebSocket URL of nats-server, e.g. "ws://127.0.0.1:8080". */
  readonly server: string;
  readonly run: string;
  readonly modelUrl: string;
  readonly tokenizerUrl: string;
  readonly name?: string;
  readonly coordinate?: boolean;
  readonly onEvent?: (e: WorkerEvent) => void;
  readonly signal?: AbortSignal;
}

async function fetchBytes(url: string): Promise<Uint8Array> {
  const r = await fetch(url);
  if (!r.ok) throw new Error(`swarm page worker: GET ${url}: ${r.status} ${r.statusText}`);
  return new Uint8Array(await r.arrayBuffer());
}

/** Joins run `o.run` from this page; resolves when every step is committed and applied. */
export async function joinSwarmFromPage(o: PageWorkerOptions): Promise<WorkerResult & { adapter: string }> {
  const [modelBytes, tokBytes] = await Promise.all([fetchBytes(o.modelUrl), fetchBytes(o.tokenizerUrl)]);
  const weights = parseLlama2c(modelBytes);
  const tokenizer = await loadTokenizer(tokBytes);
  const ctx = await createGpuContext();
  const conn = await openRun(await connectNatsWs(o.server, o.name ?? "page-worker"), o.run);
  try {
    const r = await runWorker({
      conn,
      local: { ctx, weights, tokenizer, name: o.modelUrl },
      ...(o.name !== undefined ? { name: o.name } : {}),
      ...(o.coordinate !== undefined ? { coordinate: o.coordinate } : {}),
      ...(o.onEvent !== undefined ? { onEvent: o.onEvent } : {}),
      ...(o.signal !== undefined ? { signal: o.signal } : {}),
    });
    return { ...r, adapter: `${ctx.info.description} via ${ctx.path}` };
  } finally {
    await conn.close();
    ctx.destroy();
  }
}
