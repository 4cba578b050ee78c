// CPU cost of the stack's ESP data path alone, without sockets (not a bench row): two
// RuntimeHosts on in-memory sockets that deliver synchronously when pumped, so what remains
// is the stack (driver, HostStack, mobility, WASM ESP) per packet. Companion of
// bench/udp-esp.bench.ts when hunting per-packet costs (the sockets are the same on both sides
// of that bench, so this is what separates the stack from plain UDP).
//   node --import tsx bench/esp-stack-cpu.ts [rt|stream] [packets] [out.cpuprofile]
import { startProfile } from "./cpu.ts";
import { cryptoRng } from "../src/core/rng.ts";
import type { Locator, Transmit } from "../src/core/types.ts";
import { HostIdentity } from "../src/hip/identity.ts";
import { RuntimeHost } from "../src/runtime/host.ts";
import "../src/wasm/node-features.ts"; // relaxed SIMD on Node 20, as the Node entry points
import "../src/wasm/loader.ts"; // registers the embedded WASM module as the default (src/wasm/instantiate.ts)
import type { DatagramHandler, DatagramSocket } from "../src/transport/types.ts";

const queue: { to: Locator; from: Locator; data: Uint8Array }[] = [];
const sockets = new Map<number, LoopSocket>();

class LoopSocket implements DatagramSocket {
  sendErrors = 0;
  handler: DatagramHandler | undefined;
  constructor(readonly local: Locator) {
    sockets.set(local.port, this);
  }
  send(t: Transmit): void {
    queue.push({ to: t.to, from: this.local, data: t.data });
  }
  onDatagram(cb: DatagramHandler): void {
    this.handler = cb;
  }
  close(): Promise<void> {
    return Promise.resolve();
  }
}

/** Deliver everything queued (and what that triggers); returns datagrams delivered. */
function pump(): number {
  let n = 0;
  for (let i = 0; i < queue.length; i++) {
    const q = queue[i];
    sockets.get(q.to.port)?.handler?.(q.data, q.from, q.to);
    n++;
  }
  queue.length = 0;
  return n;
}

const mode = process.argv[2] ?? "rt";
const packets = Number(process.argv[3] ?? 200_000);
const profOut = process.argv[4];
const size = mode === "rt" ? 256 : 1400;

const a = new RuntimeHost([new LoopSocket({ ip: "127.0.0.1", port: 1 })], { identity: HostIdentity.generate(cryptoRng), hip: { puzzleK: 0 } });
const b = new RuntimeHost([new LoopSocket({ ip: "127.0.0.1", port: 2 })], { identity: HostIdentity.generate(cryptoRng), hip: { puzzleK: 0 } });
const up = a.connect(b.locals[0], b.hit);
for (let i = 0; i < 1000 && !a.stack.canSend(b.hit); i++) {
  pump();
  await new Promise((r) => setImmediate(r));
}
await up;
for (let i = 0; i < 20; i++) {
  pump();
  await new Promise((r) => setImmediate(r));
}

let got = 0;
if (mode === "rt") b.on("message", (ev) => void b.send(ev.peerHit, ev.dstPort, ev.srcPort, ev.data));
(mode === "rt" ? a : b).on("message", () => void got++);
const data = new Uint8Array(size);
const BURST = 16;

function run(n: number): void {
  for (let sent = 0; sent < n; sent += BURST) {
    for (let i = 0; i < BURST; i++) a.send(b.hit, 1, 2, data);
    while (pump() > 0);
  }
}
run(20_000); // warm-up (JIT)
await new Promise((r) => setImmediate(r));
const stopProfile = await startProfile(profOut, 50);
got = 0;
const c0 = process.cpuUsage();
const t0 = performance.now();
run(packets);
const cu = process.cpuUsage(c0);
const dt = performance.now() - t0;
await stopProfile();
console.log(JSON.stringify({ mode, size, delivered: got, cpuUsPerOp: Math.round(((cu.user + cu.system) / got) * 100) / 100, wallUsPerOp: Math.round((dt * 1000 / got) * 100) / 100 }));
await Promise.all([a.close(), b.close()]);
