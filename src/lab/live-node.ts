// The live lab's network side (issue 14 item 5), started by `npm run dev` (vite.config.ts) and
// the web tests: two Forwarding Agents and a UDP peer on 127.0.0.1, for a real HIP host in the
// page. FA1 is the Deno server (src/cli/fa-deno.ts running src/fa/server/deno.ts: WebTransport + WebSocket) when a deno
// binary is there (the npm package `deno` brings one), else the Node FA with a WebSocket; FA2 is
// the Node FA with a WebSocket (the second FA a host can move to, draft §4.4.2). The peer is a
// Node UDP host that answers each datagram with "echo:" + data. The page reads LiveConfig as
// `live.json`. WebTransport: a self-signed ECDSA certificate valid < 14 days, pinned by hash.
import { type ChildProcess, spawn } from "node:child_process";
import { existsSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { hex } from "../core/bytes.ts";
import type { Locator } from "../core/types.ts";
import { cryptoRng } from "../core/rng.ts";
import { faConfig } from "../fa/core/config.ts";
import { FaServer } from "../fa/server/server.ts";
import { MemoryLeaseStore } from "../fa/store/memory.ts";
import { hitKey, hitToString } from "../hip/hit.ts";
import { HostIdentity } from "../hip/identity.ts";
import type { RuntimeHost } from "../runtime/host.ts";
import { startNodeHost } from "../runtime/node.ts";
import { selfSignedCert } from "./cert-node.ts";
import type { LiveConfig, LiveFa } from "./live-config.ts";

export type { LiveConfig, LiveFa };

const repoRoot = join(dirname(fileURLToPath(import.meta.url)), "..", "..");

export interface LiveLab {
  config: LiveConfig;
  peer: RuntimeHost;
  /** Datagrams the peer received (text), most recent last (bounded). */
  received: string[];
  close(): Promise<void>;
}

/** The deno binary: DENO_PATH, node_modules/.bin/deno (npm package `deno`), or none. */
export function findDeno(root = repoRoot): string | undefined {
  const cands = [process.env.DENO_PATH, join(root, "node_modules", ".bin", process.platform === "win32" ? "deno.exe" : "deno")];
  return cands.find((c): c is string => !!c && existsSync(c));
}

const MAX_RECEIVED = 200;

/**
 * Start FA1, FA2 and the echo peer. `deno: false` forces the Node FA for FA1 (WebSocket only);
 * `root`: the repository (where src/cli/fa-deno.ts is), when this module was bundled elsewhere.
 */
export async function startLiveLab(o: { deno?: boolean; log?: (line: string) => void; root?: string } = {}): Promise<LiveLab> {
  const root = o.root ?? repoRoot;
  const log = o.log ?? (() => {});
  const closers: (() => Promise<void>)[] = [];
  const close = async () => {
    for (const c of closers.reverse()) await c().catch(() => {});
  };
  try {
    const deno = o.deno === false ? undefined : findDeno(root);
    const fa1 = deno ? await denoFa(deno, root, "FA1", closers) : await nodeFa("FA1", closers);
    const fa2 = await nodeFa("FA2", closers);
    const peer = await startNodeHost({ identity: HostIdentity.generate(cryptoRng), listen: ["127.0.0.1:0"], hip: { puzzleK: 4 } });
    closers.push(() => peer.close());
    const received: string[] = [];
    const dec = new TextDecoder();
    peer.on("message", (m) => {
      const text = dec.decode(m.data);
      received.push(text);
      if (received.length > MAX_RECEIVED) received.shift();
      peer.send(m.peerHit, m.dstPort, m.srcPort, new TextEncoder().encode(`echo:${text}`));
    });
    const config: LiveConfig = { fas: [fa1, fa2], peer: { locator: peer.locals[0], hit: hitToString(peer.hit) } };
    log(`live lab: FA1 ${fa1.server} udp ${fa1.udp.ip}:${fa1.udp.port}${fa1.wt ? ` wt ${fa1.wt.url}` : ""}${fa1.ws ? ` ws ${fa1.ws}` : ""}; FA2 udp ${fa2.udp.port} ws ${fa2.ws}; peer ${peer.locals[0].ip}:${peer.locals[0].port}`);
    return { config, peer, received, close };
  } catch (e) {
    await close();
    throw e;
  }
}

async function nodeFa(name: string, closers: (() => Promise<void>)[]): Promise<LiveFa> {
  const identity = HostIdentity.generate(cryptoRng);
  const at = { ip: "127.0.0.1", port: 0 };
  const s = await FaServer.start({ identity, config: faConfig({ control: [at], shared4: [at], puzzle: "off" }), store: new MemoryLeaseStore(), ws: at });
  closers.push(() => s.close());
  const ws = s.wsLocator!;
  return { name, udp: s.udp[0], hit: hitKey(identity.hit), ws: `ws://${ws.ip}:${ws.port}`, server: "node" };
}

async function denoFa(deno: string, root: string, name: string, closers: (() => Promise<void>)[]): Promise<LiveFa> {
  const dir = mkdtempSync(join(tmpdir(), "hipmm-live-"));
  closers.push(async () => rmSync(dir, { recursive: true, force: true }));
  const cert = selfSignedCert();
  writeFileSync(join(dir, "cert.pem"), cert.certPem);
  writeFileSync(join(dir, "key.pem"), cert.keyPem, { mode: 0o600 });
  const args = ["run", "--unstable-net", "-A", "src/cli/fa-deno.ts", "--udp", "127.0.0.1:0", "--wt", "127.0.0.1:0", "--ws", "127.0.0.1:0", "--cert", join(dir, "cert.pem"), "--key", join(dir, "key.pem"), "--puzzle", "off"];
  const child = spawn(deno, args, { cwd: root, stdio: ["ignore", "pipe", "pipe"], env: { ...process.env, NO_COLOR: "1", DENO_NO_UPDATE_CHECK: "1", DENO_NO_PROMPT: "1" } });
  // Never outlive the process that started it (a dev server stopped by a signal).
  const orphan = () => child.kill("SIGKILL");
  process.once("exit", orphan);
  closers.push(() => {
    process.off("exit", orphan);
    return kill(child);
  });
  const ready = await readyLine(child, 20_000);
  return {
    name,
    udp: ready.udp[0],
    hit: ready.hit,
    wt: { url: `https://127.0.0.1:${ready.wt!.port}/hipmm`, hash: hex(cert.sha256) },
    ws: ready.ws ? `ws://127.0.0.1:${ready.ws.port}` : undefined,
    server: "deno",
  };
}

type Ready = { hit: string; udp: Locator[]; wt?: Locator; ws?: Locator };

/** The FA's {"msg":"fa ready"} line (stdout, JSON lines), or an error after `timeoutMs`. */
function readyLine(child: ChildProcess, timeoutMs: number): Promise<Ready> {
  let err = "";
  child.stderr!.setEncoding("utf8").on("data", (d: string) => {
    if (err.length < 4000) err += d;
  });
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`deno FA not ready after ${timeoutMs} ms\n${err}`)), timeoutMs);
    let buf = "";
    child.stdout!.setEncoding("utf8").on("data", (d: string) => {
      buf += d;
      for (let i = buf.indexOf("\n"); i >= 0; i = buf.indexOf("\n")) {
        const line = buf.slice(0, i);
        buf = buf.slice(i + 1);
        try {
          const rec = JSON.parse(line) as Ready & { msg?: string };
          if (rec.msg === "fa ready") {
            clearTimeout(timer);
            resolve(rec);
          }
        } catch {
          // not JSON: ignore
        }
      }
      if (buf.length > 65536) buf = "";
    });
    child.once("exit", (c) => {
      clearTimeout(timer);
      reject(new Error(`deno FA exited (${c}) before ready\n${err}`));
    });
  });
}

function kill(child: ChildProcess): Promise<void> {
  return new Promise<void>((r) => {
    if (child.exitCode !== null || child.signalCode !== null) return r();
    child.once("exit", () => r());
    child.kill("SIGTERM");
    setTimeout(() => child.kill("SIGKILL"), 2000).unref();
  });
}
