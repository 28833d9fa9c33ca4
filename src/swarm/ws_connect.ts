/**
 * Connecting to NATS over WebSocket (browsers; also Deno and Node): the server needs a websocket block
 * in its config (`websocket { listen: "127.0.0.1:8080", no_tls: true }`). Reconnects forever.
 */
import { type NatsConnection, wsconnect } from "@nats-io/nats-core";

/** Connects to `servers` ("ws://127.0.0.1:8080", comma-separated for several). */
export async function connectNatsWs(servers: string, name: string): Promise<NatsConnection> {
  try {
    return await wsconnect({ servers: servers.split(",").map((s) => s.trim()), name, maxReconnectAttempts: -1, reconnectTimeWait: 250 });
  } catch (e) {
    throw new Error(`swarm: cannot connect to NATS over WebSocket at ${servers}: ${(e as Error).message} (does the server have a websocket block?)`);
  }
}
