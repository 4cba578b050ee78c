// A fleet of real `hipmm fa` processes on 127.0.0.2-.4 sharing a real redis-server, a shared
// IPv4 locator every node binds (127.0.0.10, SO_REUSEADDR), and test hosts/peers on real UDP.
import { type ChildProcess, spawn } from "node:child_process";
import { createSocket, type Socket } from "node:dgram";
import { join } from "node:path";
import { ipToBytes } from "../../src/core/addr.ts";
import type { Locator } from "../../src/core/types.ts";
import { emitProbe, probeType } from "../../src/fa/core/holder-probe.ts";
import { buildFaq, type FaqFields, parseFaPacket } from "../../src/fa/core/messages.ts";
import type { HostIdentity } from "../../src/hip/identity.ts";
import { frameHip } from "../../src/wire/framing.ts";
import { TunnelFrameType } from "../../src/wire/tunnel.ts";
import { freeUdpPort } from "../helpers/net.ts";

const CLI = join(import.meta.dirname, "fixtures/fa-cli.ts");
export const SHARED_IP = "127.0.0.10";

export interface FleetNode {
  name: string;
  control: Locator;
  child: ChildProcess;
  lines: Record<string, unknown>[];
  ready: Record<string, unknown>;
}

export interface FleetSpec {
  dir: string;
  redisUrl: string;
  shared: Locator;
  extra?: string[];
}

export async function fleetSpec(dir: string, redisUrl: string, extra: string[] = []): Promise<FleetSpec> {
  return { dir, redisUrl, shared: { ip: SHARED_IP, port: await freeUdpPort() }, extra };
}

/** Start node `name` on `ip` (port: a free one unless given). Resolves on "fa ready". */
export async function startNode(f: FleetSpec, name: string, ip: string, port?: number): Promise<FleetNode> {
  const control = { ip, port: port ?? (await freeUdpPort()) };
  const args = ["--id", join(f.dir, "fa.key"), "--udp", `${ip}:${control.port}`, "--shared", `${f.shared.ip}:${f.shared.port}`, "--store", f.redisUrl, "--node", name, "--fleet-key", join(f.dir, "fleet.secret"), "--puzzle", "off", "--log", "json", ...(f.extra ?? [])];
  const child = spawn(process.execPath, ["--import", "tsx", CLI, ...args], { stdio: ["ignore", "pipe", "pipe"] });
  const lines: Record<string, unknown>[] = [];
  let err = "";
  child.stderr!.on("data", (d: Buffer) => {
    err += d.toString();
  });
  const ready = await new Promise<Record<string, unknown>>((resolve, reject) => {
    let buf = "";
    const t = setTimeout(() => reject(new Error(`node ${name} not ready: ${err}`)), 30_000);
    child.stdout!.on("data", (d: Buffer) => {
      buf += d.toString();
      for (let i = buf.indexOf("\n"); i >= 0; i = buf.indexOf("\n")) {
        const line = buf.slice(0, i);
        buf = buf.slice(i + 1);
        let rec: Record<string, unknown>;
        try {
          rec = JSON.parse(line);
        } catch {
          continue;
        }
        lines.push(rec);
        if (rec.msg === "fa ready") {
          clearTimeout(t);
          resolve(rec);
        }
      }
    });
    child.once("exit", (c) => {
      clearTimeout(t);
      reject(new Error(`node ${name} exited ${c}: ${err}`));
    });
  });
  return { name, control, child, lines, ready };
}

export async function killNode(n: FleetNode, sig: NodeJS.Signals = "SIGKILL"): Promise<void> {
  if (n.child.exitCode !== null || n.child.signalCode !== null) return;
  const gone = new Promise((r) => n.child.once("exit", r));
  n.child.kill(sig);
  await gone;
}

/** The HIT of a log record: IPv6 text (what the FA prints) or 32 hex digits. */
export function hitBytes(rec: Record<string, unknown>): Uint8Array {
  const text = String(rec.hit);
  const v6 = text.includes(":") ? ipToBytes(text) : undefined;
  if (v6) return v6;
  const h = text.replace(/[^0-9a-f]/gi, "");
  return Uint8Array.from(h.match(/../g)!.map((x) => Number.parseInt(x, 16)));
}

export interface Dgram {
  data: Uint8Array;
  from: Locator;
}

/** A UDP endpoint on 127.0.0.1 with a receive queue. */
export class Udp {
  readonly queue: Dgram[] = [];
  private waiters: (() => void)[] = [];
  private constructor(readonly sock: Socket) {
    sock.on("message", (m, r) => {
      this.queue.push({ data: new Uint8Array(m), from: { ip: r.address, port: r.port } });
      for (const w of this.waiters.splice(0)) w();
    });
  }

  static async open(ip = "127.0.0.1"): Promise<Udp> {
    const sock = createSocket("udp4");
    await new Promise<void>((r) => sock.bind(0, ip, () => r()));
    return new Udp(sock);
  }

  /** Answer FA holder probes (PING → PONG with the same nonce) as a HostStack does
   *  (docs/PROTOCOL.md §9.1), so a node forwarding to us keeps doing so. */
  answerProbes(): this {
    this.sock.on("message", (m, r) => {
      if (probeType(m) === TunnelFrameType.PING) this.sock.send(emitProbe(TunnelFrameType.PONG, new Uint8Array(m).subarray(8)), r.port, r.address);
    });
    return this;
  }

  get locator(): Locator {
    const a = this.sock.address();
    return { ip: a.address, port: a.port };
  }

  send(data: Uint8Array, to: Locator): void {
    this.sock.send(data, to.port, to.ip);
  }

  /** The next datagram matching `pred` (others stay queued); rejects after `ms`. */
  async next(pred: (d: Dgram) => boolean = () => true, ms = 5000): Promise<Dgram> {
    const end = Date.now() + ms;
    for (;;) {
      const i = this.queue.findIndex(pred);
      if (i >= 0) return this.queue.splice(i, 1)[0];
      const left = end - Date.now();
      if (left <= 0) throw new Error("timeout waiting for a datagram");
      await new Promise<void>((r) => {
        const t = setTimeout(r, left);
        this.waiters.push(() => {
          clearTimeout(t);
          r();
        });
      });
    }
  }

  close(): void {
    this.sock.close();
  }
}

/** Send a FAQ to `fa` and wait for its FAA/FAD (matched by Request ID). */
export async function faq(u: Udp, fa: Locator, id: HostIdentity, faHit: Uint8Array, f: FaqFields, ms = 5000) {
  u.send(frameHip(buildFaq(id, faHit, f)), fa);
  const d = await u.next((x) => {
    if (x.data.length < 8 || x.data[0] !== 0 || x.data[3] !== 0) return false;
    const p = parseFaPacket(x.data.subarray(4), false);
    return p.ok && p.value.info?.requestId === f.requestId;
  }, ms);
  const p = parseFaPacket(d.data.subarray(4));
  if (!p.ok) throw new Error(p.error.message);
  return p.value;
}
