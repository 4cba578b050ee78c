// A real redis-server for a test: a free loopback port, a temp dir (append-only file when the
// test restarts Redis mid-traffic), torn down by stop(). Skips are the caller's business.
import { type ChildProcess, spawn, spawnSync } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { createServer } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";

export function haveRedis(): boolean {
  return spawnSync("redis-server", ["--version"]).status === 0;
}

async function freeTcpPort(): Promise<number> {
  const s = createServer();
  await new Promise<void>((r) => s.listen(0, "127.0.0.1", r));
  const port = (s.address() as { port: number }).port;
  await new Promise((r) => s.close(r));
  return port;
}

export class RedisServer {
  private child: ChildProcess | undefined;
  private constructor(
    readonly port: number,
    readonly dir: string,
    private readonly persist: boolean,
  ) {}

  get url(): string {
    return `redis://127.0.0.1:${this.port}`;
  }

  static async start(persist = false): Promise<RedisServer> {
    const r = new RedisServer(await freeTcpPort(), mkdtempSync(join(tmpdir(), "hipmm-redis-")), persist);
    await r.run();
    return r;
  }

  /** Start (again) on the same port and directory. */
  async run(): Promise<void> {
    const args = ["--port", String(this.port), "--bind", "127.0.0.1", "--dir", this.dir, "--save", "", "--appendonly", this.persist ? "yes" : "no", "--appendfsync", "always", "--protected-mode", "no"];
    const child = spawn("redis-server", args, { stdio: ["ignore", "pipe", "pipe"] });
    this.child = child;
    let out = "";
    await new Promise<void>((resolve, reject) => {
      const t = setTimeout(() => reject(new Error(`redis-server did not start: ${out}`)), 15_000);
      child.stdout?.setEncoding("utf8").on("data", (d: string) => {
        out += d;
        if (out.includes("Ready to accept connections")) {
          clearTimeout(t);
          resolve();
        }
      });
      child.once("exit", (c) => {
        clearTimeout(t);
        reject(new Error(`redis-server exited ${c}: ${out}`));
      });
    });
  }

  /** SIGKILL (a crash): the append-only file keeps what was acknowledged. */
  async kill(): Promise<void> {
    const c = this.child;
    if (!c || c.exitCode !== null) return;
    const gone = new Promise((r) => c.once("exit", r));
    c.kill("SIGKILL");
    await gone;
  }

  async stop(): Promise<void> {
    await this.kill();
    rmSync(this.dir, { recursive: true, force: true });
  }
}
