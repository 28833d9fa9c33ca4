/**
 * A real nats-server for the swarm tests: JetStream on 127.0.0.1 on a free port, file storage in a
 * temp dir, started and stopped by the test (restart keeps the port and the storage). Without the
 * nats-server binary the swarm suites skip visibly, unless MAZO_REQUIRE_GPU=1 / CI, where that fails.
 */
import { type ChildProcess, spawn, spawnSync } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
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
  #proc: ChildProcess | null = null;

  private constructor(port: number, dir: string) {
    this.port = port;
    this.dir = dir;
  }

  static async start(): Promise<NatsServer> {
    const s = new NatsServer(await freePort(), mkdtempSync(join(tmpdir(), "mazo-nats-")));
    await s.#spawn();
    return s;
  }

  get url(): string {
    return `nats://127.0.0.1:${this.port}`;
  }

  async #spawn(): Promise<void> {
    this.#proc = spawn("nats-server", ["-js", "-a", "127.0.0.1", "-p", String(this.port), "-sd", this.dir], { stdio: "ignore" });
    await waitForPort(this.port, 10_000);
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
