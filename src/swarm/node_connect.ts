/**
 * Connecting to NATS from Deno and Node (TCP, @nats-io/transport-node), reconnecting forever so a
 * restarted server is picked up again. Browsers use ws_connect.ts.
 */
import { connect, type NatsConnection } from "@nats-io/transport-node";

/** Connects to `servers` ("nats://127.0.0.1:4222", comma-separated for several). */
export async function connectNats(servers: string, name: string): Promise<NatsConnection> {
  try {
    return await connect({ servers: servers.split(",").map((s) => s.trim()), name, maxReconnectAttempts: -1, reconnectTimeWait: 250, waitOnFirstConnect: false });
  } catch (e) {
    throw new Error(`swarm: cannot connect to NATS at ${servers}: ${(e as Error).message} (is nats-server running with -js?)`);
  }
}
