// Real-kernel outage rows for the issue 11 acceptance targets (network namespaces, root only;
// `npm run bench -- netns`): host H with two interfaces (eth0 preferred, eth1) behind router R,
// peer P beyond R, `hipmm host` on both, 100 numbered datagrams/s each way. One lab, in order:
// primary down (target 100 ms), primary back, renumbering (target 200 ms), renumbered primary
// down, both interfaces down 2 s then eth1 up (measured from eth1 up). Then a tunnel host whose
// FA is SIGKILLed and restarted with its --store (target 1 s from the FA being ready). The start
// is the kernel change itself (clock read in the namespace right after the `ip` command).
import { mkdtempSync, rmSync } from "node:fs";
import { createServer } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import WebSocket from "ws";
import { cryptoRng } from "../src/core/rng.ts";
import { HostIdentity } from "../src/hip/identity.ts";
import { connectTunnelHost } from "../src/runtime/browser.ts";
import { startNodeHost } from "../src/runtime/node.ts";
import { WsTunnel } from "../src/transport/tunnel.ts";
import { Lab, netnsSkip } from "../test/netns/netns.ts";
import { type Outage, settled, streaming, twoInterfaces } from "../test/netns/two-interfaces.ts";
import { freeUdpPort, spawnFa } from "../test/tunnel/harness.ts";
import type { BenchRow } from "./run.ts";
import { costRow } from "./util.ts";

async function twoInterfaceMoves(): Promise<Record<string, Outage>> {
  const lab = new Lab();
  const out: Record<string, Outage> = {};
  try {
    const t = await twoInterfaces(lab, "10.96");
    const { h, r } = t;
    await t.host.waitFor("err", /watching interfaces/);
    const { up, down } = await streaming(t);
    const pause = () => new Promise((res) => setTimeout(res, 500));
    // Start: the kernel change itself (Lab.change reads the clock in the namespace right after it).
    const step = async (name: string, ns: string, cmd: string, fromEvent = false) => {
      await pause();
      const t0 = await lab.change(ns, cmd);
      out[name] = await settled(up, down, t0, 5000, fromEvent);
    };
    await step("primary down", r, "ip link set h0 down");
    await step("primary back", r, "ip link set h0 up");
    await step("renumber", h, "ip addr add 10.96.1.3/24 dev eth0 && ip addr del 10.96.1.2/24 dev eth0 && ip route replace default via 10.96.1.1 dev eth0 table 1");
    await step("renumbered primary down", r, "ip link set h0 down");
    await lab.run(r, ["ip", "link", "set", "h1", "down"]);
    await new Promise((res) => setTimeout(res, 2000));
    await step("both down 2 s, then eth1 up", r, "ip link set h1 up", true);
    up.stop();
    down.stop();
    return out;
  } finally {
    await lab.destroy();
  }
}

/** Tunnel host ↔ UDP host through a `hipmm fa` process that is SIGKILLed and restarted (--store). */
async function tunnelFaRestart(): Promise<{ up: number; down: number; outage: number }> {
  const dir = mkdtempSync(join(tmpdir(), "hipmm-bench-tunnel-"));
  const udp = await freeUdpPort();
  const srv = createServer();
  await new Promise<void>((res) => srv.listen(0, "127.0.0.1", () => res()));
  const ws = (srv.address() as { port: number }).port;
  await new Promise<void>((res) => srv.close(() => res()));
  const args = ["--import", "tsx", "test/fa/fixtures/fa-cli.ts", "--id", join(dir, "fa.key"), "--udp", `127.0.0.1:${udp}`, "--ws", `127.0.0.1:${ws}`, "--store", join(dir, "fa.db"), "--puzzle", "off", "--log", "json"];
  let fa = await spawnFa(process.execPath, args);
  const peer = await startNodeHost({ identity: HostIdentity.generate(cryptoRng), listen: ["127.0.0.1:0"], hip: { puzzleK: 4 } });
  const host = await connectTunnelHost({
    identity: HostIdentity.generate(cryptoRng),
    endpoints: [{ fa: { locator: { ip: "127.0.0.1", port: udp } }, webSocket: `ws://127.0.0.1:${ws}` }],
    opener: (e) => WsTunnel.connect(e.webSocket!, WebSocket as unknown as new (u: string) => globalThis.WebSocket),
  });
  const last = { up: 0, down: 0 };
  host.on("message", () => (last.down = performance.now()));
  peer.on("message", () => (last.up = performance.now()));
  let outage = 0;
  host.on("path-changed", (ev) => (outage = ev.outageMs));
  const timers: ReturnType<typeof setInterval>[] = [];
  try {
    await host.connect(peer.locals[0], peer.hit);
    timers.push(setInterval(() => host.send(peer.hit, 7000, 7001, new Uint8Array(64)), 10));
    timers.push(setInterval(() => peer.send(host.hit, 7001, 7000, new Uint8Array(64)), 10));
    await new Promise((res) => setTimeout(res, 1000));
    await fa.kill();
    await new Promise((res) => setTimeout(res, 300));
    fa = await spawnFa(process.execPath, args);
    const ready = performance.now();
    for (let i = 0; i < 500 && (last.up < ready || last.down < ready); i++) await new Promise((res) => setTimeout(res, 5));
    // First arrival after ready, each way (polled every 5 ms: up to 5 ms late).
    return { up: last.up - ready, down: last.down - ready, outage };
  } finally {
    for (const t of timers) clearInterval(t);
    await host.close(0);
    await peer.close();
    await fa.kill();
    rmSync(dir, { recursive: true, force: true });
  }
}

export async function run(_argv: string[]): Promise<BenchRow[]> {
  const rows: BenchRow[] = [];
  const skip = netnsSkip();
  if (skip) console.error(`bench netns-move: interface rows skipped: ${skip}`);
  else {
    const o = await twoInterfaceMoves();
    const target: Record<string, number | null> = { "primary down": 100, renumber: 200 };
    for (const [name, v] of Object.entries(o)) {
      rows.push(costRow(`netns ${name}: outage host→peer (from the kernel change)`, "ms", v.up.ms, null, { lost: v.up.lost, target_ms: target[name] ?? null }));
      rows.push(costRow(`netns ${name}: outage peer→host (from the kernel change)`, "ms", v.down.ms, null, { lost: v.down.lost, target_ms: target[name] ?? null }));
    }
  }
  const t = await tunnelFaRestart();
  rows.push(costRow("tunnel host, FA SIGKILLed and restarted with --store: first datagram host→peer after the FA was ready", "ms", t.up, null, { target_ms: 1000, outage_ms: t.outage }));
  rows.push(costRow("tunnel host, FA SIGKILLed and restarted with --store: first datagram peer→host after the FA was ready", "ms", t.down, null, { target_ms: 1000 }));
  return rows;
}
