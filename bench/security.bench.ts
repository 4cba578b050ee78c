// Issue 9 security rows. Amplification: bytes a host (or the FA) sends in answer to
// unauthenticated input, per byte of that input (baseline 1: the rule "no reply larger than the
// request", RFC 7401's R1 being the one allowed exception) — I1 flood from spoofed sources, NOTIFY
// triggers (packets with an association's HIT and an unknown critical parameter), forged REAs
// (bad HMAC), an authenticated REA listing victims' addresses (bytes to the victims), FAQ flood.
// Memory: JS heap + WASM memory per association with the host at its association cap (the FA's
// per-lease memory at its cap is fa-security.bench.ts).
// Worlds are the stateful fuzzer's (test/security/fuzz/world.ts): real hosts in the simulator.
import v8 from "node:v8";
import vm from "node:vm";
import { SeededRng } from "../src/core/rng.ts";
import type { Locator } from "../src/core/types.ts";
import { HipHost } from "../src/hip/host.ts";
import { HostIdentity } from "../src/hip/identity.ts";
import { HostStack } from "../src/runtime/stack.ts";
import { Hostile } from "../test/security/fuzz/hostile.ts";
import { forgeCritical, swapHits } from "../test/security/fuzz/mutate.ts";
import { ADDR, World } from "../test/security/fuzz/world.ts";
import type { BenchRow } from "./run.ts";
import { costRow } from "./util.ts";

v8.setFlagsFromString("--expose-gc");
const gc = vm.runInNewContext("gc") as () => void;

/** Bytes `node` sends to addresses outside the world while `feed` injects `count` datagrams. */
function amplification(w: World, node: string, feed: (i: number) => { from: Locator; to: Locator; data: Uint8Array } | undefined, count: number, spacingMs = 0.5): { out: number; in: number } {
  const own = new Set([ADDR.a1, ADDR.a2, ADDR.b, ADDR.m, ADDR.fa].map((l) => l.ip));
  let out = 0;
  let inBytes = 0;
  w.sim.onTrace((e) => {
    if (e.kind === "sent" && e.node === node && !own.has(e.to.ip)) out += e.bytes;
  });
  for (let i = 0; i < count; i++) {
    const d = feed(i);
    if (d) {
      inBytes += d.data.length;
      w.sim.inject(d.from, d.to, d.data);
    }
    w.sim.runUntil(w.sim.now + spacingMs);
  }
  w.sim.runUntil(w.sim.now + 200);
  return { out, in: inBytes };
}

const spoof = (i: number): Locator => ({ ip: `198.18.${(i >> 6) & 255}.${(i & 63) + 1}`, port: 10500 });
const victimOut = (w: World, victims: Set<string>): { get: () => number } => {
  let n = 0;
  w.sim.onTrace((e) => {
    if (e.kind === "sent" && e.node === "A" && victims.has(e.to.ip)) n += e.bytes;
  });
  return { get: () => n };
};

function row(name: string, r: { out: number; in: number }, extra: Record<string, unknown> = {}): BenchRow {
  return costRow(name, "bytes out / bytes in", r.in ? r.out / r.in : 0, 1, { bytesIn: r.in, bytesOut: r.out, ...extra });
}

function heapNow(): number {
  gc();
  return process.memoryUsage().heapUsed;
}

/** Heap and WASM bytes per association: `n` Initiators try base exchanges with one HostStack whose cap is `cap`. */
function perAssociation(n: number, cap: number): { heap: number; wasm: number; count: number } {
  const rng = new SeededRng(7);
  const rLoc = { ip: "10.0.0.1", port: 10500 };
  const responder = new HostStack({ host: { identity: HostIdentity.generate(rng), rng, puzzleK: 1, limits: { maxAssociations: cap, maxHalfOpen: cap, r1PerPrefix: { ratePerSec: 1e9, burst: 1e9 }, r1Global: { ratePerSec: 1e9, burst: 1e9 }, i2PerPrefix: { ratePerSec: 1e9, burst: 1e9 }, i2Global: { ratePerSec: 1e9, burst: 1e9 } } }, mobility: {}, addresses: [rLoc] });
  const ids = Array.from({ length: n }, () => HostIdentity.generate(rng));
  const mem = () => (responder.dataPlane?.crypto.wasm.memory.buffer.byteLength ?? 0);
  const h0 = heapNow();
  const w0 = mem();
  let now = 0;
  for (let i = 0; i < n; i++) {
    const iLoc = { ip: `10.1.${i >> 8}.${i & 255}`, port: 10500 };
    const ini = new HipHost({ identity: ids[i], rng, puzzleK: 1 });
    ini.connect(now, rLoc, responder.hit, iLoc);
    for (let moved = true; moved; ) {
      moved = false;
      for (let t = ini.pollTransmit(); t; t = ini.pollTransmit()) {
        responder.handleDatagram(now, t.data, iLoc, rLoc);
        moved = true;
      }
      for (let t = responder.pollTransmit(); t; t = responder.pollTransmit()) {
        if (t.to.ip === iLoc.ip) ini.handleDatagram(now, t.data.subarray(4), rLoc, iLoc);
        moved = true;
      }
    }
    while (responder.pollEvent());
    now += 1;
  }
  const count = [...responder.host.associations()].length;
  return { heap: (heapNow() - h0) / count, wasm: (mem() - w0) / count, count };
}

export async function run(_argv: string[]): Promise<BenchRow[]> {
  const rows: BenchRow[] = [];
  const r = new SeededRng(42);

  // I1 flood: fresh sender HITs from 2000 spoofed sources (32 per /24) at one host.
  {
    const w = new World({ seed: 101, flowEveryMs: 0 });
    const rng = new SeededRng(5);
    const ini = new HipHost({ identity: HostIdentity.generate(rng), rng });
    ini.connect(0, ADDR.a1, w.a.hit, spoof(0));
    const i1 = ini.pollTransmit()?.data ?? new Uint8Array(0);
    // Fresh sender HITs that are valid ORCHIDs (the real HIT's first 4 bytes: prefix + suite).
    const hit = (): Uint8Array => {
      const h = r.fill(new Uint8Array(16));
      h.set(ini.hit.subarray(0, 4));
      return h;
    };
    const res = amplification(w, "A", (i) => ({ from: spoof(i), to: ADDR.a1, data: swapHits(i1, hit(), undefined) }), 2000, 0.5);
    rows.push(row("security.amp.i1_flood.spoofed", res, { i1s: 2000, overMs: 1000, sources: 2000, note: "R1 is the one reply RFC 7401 allows to be larger; limits.r1PerPrefix / r1Global bound it" }));
  }
  // NOTIFY triggers: I2/R2/UPDATE/CLOSE/CLOSE_ACK with B's HIT and an unknown critical parameter.
  {
    const w = new World({ seed: 102, flowEveryMs: 0 });
    const types = [3, 4, 16, 18, 19];
    const res = amplification(w, "A", (i) => ({ from: spoof(i), to: ADDR.a1, data: forgeCritical(r, types[i % types.length], w.b.hit, w.a.hit) }), 300, 2);
    rows.push(row("security.amp.notify_triggers", res, { note: "I2/R2/UPDATE/CLOSE/CLOSE_ACK with the peer's HIT and an unknown critical parameter, spoofed sources" }));
  }
  // Forged REAs: B's HIT, garbage HMAC and signature (HMAC fails first).
  {
    const w = new World({ seed: 103, flowEveryMs: 0 });
    const hostile = new Hostile(w);
    const real = hostile.rea(r, w.a, ADDR.a1, 2);
    const res = amplification(w, "A", (i) => {
      if (!real) return undefined;
      const d = real.data.slice();
      d.set(w.b.hit, 4 + 8);
      d[d.length - 1 - (i % 20)] ^= 0xff;
      return { from: spoof(i), to: ADDR.a1, data: d };
    }, 500, 1);
    rows.push(row("security.amp.forged_rea", res, { note: "REA with the peer's HIT, bad HMAC, spoofed sources" }));
  }
  // An authenticated peer's REAs listing victims: bytes A sends to the victims per REA byte.
  {
    const w = new World({ seed: 104, flowEveryMs: 0 });
    const hostile = new Hostile(w);
    const victims = new Set(["192.0.2.66", "192.0.2.67", "198.51.100.9", "2001:db8:66::1", "127.0.0.1"]);
    const out = victimOut(w, victims);
    let inBytes = 0;
    for (let i = 0; i < 40; i++) {
      const d = hostile.rea(r, w.a, ADDR.a1, 2);
      if (d) {
        inBytes += d.data.length;
        w.sim.inject(d.from, d.to, d.data);
      }
      w.sim.runUntil(w.sim.now + 250);
    }
    w.sim.runUntil(w.sim.now + 5000);
    rows.push(row("security.amp.hostile_rea_victims", { out: out.get(), in: inBytes }, { reas: 40, note: "authenticated peer's REAs listing victims' addresses: bytes A sends to the victims (AC probes)" }));
  }
  // FAQ flood: valid FAQs by throwaway identities from spoofed sources (the FA's answers).
  {
    const w = new World({ seed: 105, flowEveryMs: 0 });
    const res = amplification(w, "FA", (i) => ({ from: spoof(i), to: ADDR.fa, data: w.faqs[i % w.faqs.length] }), 200, 5);
    rows.push(row("security.amp.faq_flood.valid_spoofed", res, { note: "valid FAQs (throwaway identities) from spoofed sources; forged FAQs: fa.amp.faq_flood (fa-security.bench.ts)" }));
  }

  const cap = 256;
  const a = perAssociation(cap + 32, cap);
  rows.push(costRow(`security.memory.per_association.at_cap.${cap}`, "bytes", a.heap + a.wasm, null, { heapBytes: Math.round(a.heap), wasmBytes: Math.round(a.wasm), associations: a.count, tried: cap + 32, note: "HostStack responder with mobility, limits.maxAssociations = cap (default 1024: scale linearly); per lease: fa.memory.per_lease (fa-security.bench.ts)" }));
  return rows;
}
