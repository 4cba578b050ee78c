// Shared pieces of the tunnel tests: a Node UDP HIP host that echoes every datagram back
// (prefixed "echo:"), a free UDP port, and text helpers.
import { type ChildProcess, spawn } from "node:child_process";
import { createSocket } from "node:dgram";
import { join } from "node:path";
import WebSocket from "ws";
import { cryptoRng } from "../../src/core/rng.ts";
import type { Locator } from "../../src/core/types.ts";
import { HostIdentity } from "../../src/hip/identity.ts";
import type { MessageEvent, RuntimeHost } from "../../src/runtime/host.ts";
import { startNodeHost } from "../../src/runtime/node.ts";
import { faConfig } from "../../src/fa/core/config.ts";
import { FaServer } from "../../src/fa/server/server.ts";
import { MemoryLeaseStore } from "../../src/fa/store/memory.ts";
import { startTunnelHost, type TunnelHostOptions } from "../../src/runtime/browser.ts";
import { WsTunnel } from "../../src/transport/tunnel.ts";

export const repoRoot = join(import.meta.dirname, "..", "..");
export const text = (b: Uint8Array) => new TextDecoder().decode(b);
export const bytes = (s: string) => new TextEncoder().encode(s);

export async function freeUdpPort(): Promise<number> {
  const s = createSocket("udp4");
  await new Promise<void>((r) => s.bind(0, "127.0.0.1", () => r()));
  const p = s.address().port;
  await new Promise<void>((r) => s.close(() => r()));
  return p;
}

export interface EchoPeer {
  host: RuntimeHost;
  locator: Locator;
  /** Datagrams received (before echoing) and where the association's peer was seen. */
  got: MessageEvent[];
  established: { peer: Locator; peerHit: Uint8Array }[];
}

/** A UDP HIP host on 127.0.0.1:0 that answers each datagram with "echo:" + data. */
export async function startEchoPeer(): Promise<EchoPeer> {
  const host = await startNodeHost({ identity: HostIdentity.generate(cryptoRng), listen: ["127.0.0.1:0"], hip: { puzzleK: 4 } });
  const peer: EchoPeer = { host, locator: host.locals[0], got: [], established: [] };
  host.on("established", (ev) => peer.established.push({ peer: ev.peer, peerHit: ev.peerHit }));
  host.on("message", (m) => {
    peer.got.push(m);
    host.send(m.peerHit, m.dstPort, m.srcPort, bytes(`echo:${text(m.data)}`));
  });
  return peer;
}

export interface FaProcess {
  child: ChildProcess;
  /** Everything the process wrote to stderr so far. */
  stderr(): string;
  /** The "fa ready" record: hit, udp, and the tunnel listeners (wt, ws). */
  ready: { hit: string; udp: Locator[]; wt?: Locator; ws?: Locator };
  lines: string[];
  /** SIGKILL (idempotent); resolves when the process is gone. */
  kill(): Promise<void>;
}

/** Spawn an FA (Node `hipmm fa` or the Deno server) and wait for its "fa ready" JSON line. */
export function spawnFa(cmd: string, args: string[], timeoutMs = 15_000, cwd = repoRoot): Promise<FaProcess> {
  const child = spawn(cmd, args, { cwd, stdio: ["ignore", "pipe", "pipe"], env: { ...process.env, NO_COLOR: "1", DENO_NO_UPDATE_CHECK: "1" } });
  const lines: string[] = [];
  let err = "";
  const kill = () =>
    new Promise<void>((r) => {
      if (child.exitCode !== null || child.signalCode !== null) return r();
      child.once("exit", () => r());
      child.kill("SIGKILL");
    });
  child.stderr!.setEncoding("utf8").on("data", (d: string) => {
    err += d;
  });
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      void kill();
      reject(new Error(`FA not ready after ${timeoutMs} ms\n${lines.join("\n")}\n${err}`));
    }, timeoutMs);
    let buf = "";
    child.stdout!.setEncoding("utf8").on("data", (d: string) => {
      buf += d;
      for (let i = buf.indexOf("\n"); i >= 0; i = buf.indexOf("\n")) {
        const line = buf.slice(0, i);
        buf = buf.slice(i + 1);
        lines.push(line);
        const rec = JSON.parse(line) as { msg?: string };
        if (rec.msg === "fa ready") {
          clearTimeout(timer);
          resolve({ child, ready: rec as FaProcess["ready"], lines, kill, stderr: () => err });
        }
      }
    });
    child.once("exit", (c) => {
      clearTimeout(timer);
      reject(new Error(`FA exited (${c}) before ready\n${lines.join("\n")}\n${err}`));
    });
  });
}

/** An in-process FA on a free loopback UDP port with a WebSocket tunnel endpoint. */
export async function startWsFa(): Promise<{ fa: FaServer; faLoc: Locator }> {
  const faLoc = { ip: "127.0.0.1", port: await freeUdpPort() };
  const fa = await FaServer.start({
    identity: HostIdentity.generate(cryptoRng),
    config: faConfig({ control: [faLoc], shared4: [faLoc], puzzle: "off" }),
    store: new MemoryLeaseStore(),
    ws: { ip: "127.0.0.1", port: 0 },
  });
  return { fa, faLoc };
}

/** A tunnel host (new identity) over a WebSocket to `fa`, leased. */
export async function wsTunnelHost(fa: FaServer, faLoc: Locator, extra: Partial<TunnelHostOptions> = {}): Promise<Awaited<ReturnType<typeof startTunnelHost>>> {
  const tunnel = await WsTunnel.connect(`ws://127.0.0.1:${fa.wsLocator!.port}`, WebSocket as unknown as new (u: string) => globalThis.WebSocket);
  return startTunnelHost({ identity: HostIdentity.generate(cryptoRng), tunnel, fa: { locator: faLoc }, ...extra });
}
