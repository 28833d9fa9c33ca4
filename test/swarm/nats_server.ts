/**
 * A real nats-server for the swarm tests: JetStream on 127.0.0.1 on a free port, file storage in a
 * temp dir, started and stopped by the test (restart keeps the port and the storage). Without the
 * nats-server binary the swarm suites skip visibly, unless MAZO_REQUIRE_GPU=1 / CI, where that fails.
 */
import { type ChildProcess, spawn, spawnSync } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { createServer, connect as tcpConnect } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import process from "node:process";

/** The nats-server binary, or null after printing why `name` is skipped. */
export function natsServerOrSkip(name: string): string | null {
  const r = spawnSync("nats-server", ["--version"], { encoding: "utf8" });
  if (r.status === 0) return "nats-server";
  const why = `nats-server not found on PATH (apt-get install nats-server)`;
  if (process.env.MAZO_REQUIRE_GPU === "1" || process.env.CI !== undefined) throw new Error(`${name}: ${why}`);
  console.log(`SKIP ${name}: ${why}`);
  return null;
}

async function freePort(): Promise<number> {
  return await new Promise((res, rej) => {
    const s = createServer();
    s.listen(0, "127.0.0.1", () => {
      const a = s.address();
      const port = typeof a === "object" && a !== null ? a.port : 0;
      s.close(() => res(port));
    });
    s.on("error", rej);
  });
}

async function waitForPort(port: number, ms: number): Promise<void> {
  const t0 = Date.now();
  while (Date.now() - t0 < ms) {
    const ok = await new Promise<boolean>((res) => {
      const c = tcpConnect(port, "127.0.0.1");
      c.on("connect", () => {
        c.destroy();
        res(true);
      });
      c.on("error", () => res(false));
    });
    if (ok) return;
    await new Promise((r) => setTimeout(r, 50));
  }
  throw new Error(`nats-server did not listen on 127.0.0.1:${port} within ${ms} ms`);
}

export class NatsServer {
  readonly port: number;
  readonly dir: string;
  /** WebSocket port (0: none). */
  readonly wsPort: number;
  #proc: ChildProcess | null = null;

  private constructor(port: number, dir: string, wsPort: number) {
    this.port = port;
    this.dir = dir;
    this.wsPort = wsPort;
  }

  /** Starts a server; with `websocket` it also listens for WebSocket clients (browsers) on `wsUrl`. */
  static async start(options: { websocket?: boolean } = {}): Promise<NatsServer> {
    const s = new NatsServer(await freePort(), mkdtempSync(join(tmpdir(), "mazo-nats-")), options.websocket === true ? await freePort() : 0);
    await s.#spawn();
    return s;
  }

  get url(): string {
    return `nats://127.0.0.1:${this.port}`;
  }

  get wsUrl(): string {
    return `ws://127.0.0.1:${this.wsPort}`;
  }

  async #spawn(): Promise<void> {
    const conf = join(this.dir, "server.conf");
    const ws = this.wsPort > 0 ? `websocket {\n  listen: "127.0.0.1:${this.wsPort}"\n  no_tls: true\n}\n` : "";
    writeFileSync(conf, `listen: "127.0.0.1:${this.port}"\njetstream {\n  store_dir: ${JSON.stringify(join(this.dir, "js"))}\n}\n${ws}`);
    this.#proc = spawn("nats-server", ["-c", conf], { stdio: "ignore" });
    await waitForPort(this.port, 10_000);
    if (this.wsPort > 0) await waitForPort(this.wsPort, 10_000);
  }

  /** Stops the server (SIGTERM, waits for exit). */
  async stop(): Promise<void> {
    const p = this.#proc;
    this.#proc = null;
    if (p === null || p.exitCode !== null) return;
    await new Promise<void>((res) => {
      p.on("exit", () => res());
      p.kill("SIGTERM");
    });
  }

  /** Stops and starts it again on the same port and storage. */
  async restart(): Promise<void> {
    await this.stop();
    await this.#spawn();
  }

  /** Stops it and deletes the storage. */
  async destroy(): Promise<void> {
    await this.stop();
    rmSync(this.dir, { recursive: true, force: true });
  }
}
