// FA security rows (issue 9): amplification of an unauthenticated FAQ flood (bytes the FA sends
// per byte received; an answer larger than the FAQ would make the FA a reflector) and memory
// per lease with the FA at its lease cap (idle leases, and leases whose relay permissions are
// full: 64 peer addresses + 64 peer HITs each, the per-lease maximum).
import { setFlagsFromString } from "node:v8";
import { runInNewContext } from "node:vm";
import { SeededRng } from "../src/core/rng.ts";
import { ForwardingAgent } from "../src/fa/core/agent.ts";
import { faConfig } from "../src/fa/core/config.ts";
import { buildFaq } from "../src/fa/core/messages.ts";
import { MemoryLeaseStore } from "../src/fa/store/memory.ts";
import { HostIdentity } from "../src/hip/identity.ts";
import { PacketType } from "../src/wire/constants.ts";
import { frameHip } from "../src/wire/framing.ts";
import type { BenchRow } from "./run.ts";
import { costRow } from "./util.ts";

const FA = { ip: "192.0.2.1", port: 10500 };

/** Forged FAQs: bad signatures, HIT ≠ HOST_ID, a bare header. Returns bytes out / bytes in. */
function amplification(puzzle: "off" | "on"): { ratio: number; inBytes: number; outBytes: number; replies: number } {
  const rng = new SeededRng(11);
  const fa = new ForwardingAgent({ identity: HostIdentity.generate(rng), config: faConfig({ control: [FA], shared4: [FA], puzzle, fadPerSecond: 1e9 }), store: new MemoryLeaseStore(), rng });
  const ids = Array.from({ length: 4 }, () => HostIdentity.generate(rng));
  const forged: Uint8Array[] = [];
  for (let i = 0; i < 400; i++) {
    const f = buildFaq(ids[i % 4], fa.hit, { requestId: i, leaseId: 0, lifetime: 600, addrType: 4, spis: 16 });
    if (i % 3 === 0) f[f.length - 16] ^= 0x40; // inside the signature
    else if (i % 3 === 1) f.set(ids[(i + 1) % 4].hit, 8);
    else {
      const g = new Uint8Array(48);
      g.set([59, 5, PacketType.FAQ, 0x21]);
      g.set(fa.hit, 24);
      forged.push(frameHip(g));
      continue;
    }
    forged.push(frameHip(f));
  }
  let inBytes = 0;
  let outBytes = 0;
  let replies = 0;
  for (const [n, d] of forged.entries()) {
    inBytes += d.length;
    fa.handleDatagram(n * 10, 0, `198.51.100.${n & 255}`, 1000 + n, d);
    for (let t = fa.pollTransmit(); t; t = fa.pollTransmit()) {
      outBytes += t.data.length;
      replies++;
    }
  }
  return { ratio: outBytes / inBytes, inBytes, outBytes, replies };
}

function hexBytes(h: string): Uint8Array {
  return Uint8Array.from(h.match(/../g)!.map((x) => Number.parseInt(x, 16)));
}

function memoryAtCap(cap: number, fillPermissions: boolean): number {
  setFlagsFromString("--expose-gc");
  const gc = runInNewContext("gc") as () => void;
  gc();
  const before = process.memoryUsage().heapUsed;
  const rng = new SeededRng(12);
  const perms = 64;
  const fa = new ForwardingAgent({ identity: HostIdentity.generate(rng), config: faConfig({ control: [FA], shared4: [FA], puzzle: "off", maxLeases: cap, permissionsPerLease: perms }), store: new MemoryLeaseStore(), rng });
  const pkt = new Uint8Array(44);
  pkt.set([59, 4, PacketType.R1, 0x21], 4);
  for (let i = 0; i < cap + 10; i++) {
    const hit = `2001002${i.toString(16).padStart(25, "0")}`;
    const r = fa.leases.handle(0, { hit, requestId: 1, leaseId: 0, addrType: 4, spis: 0, lifetime: 600, host: { ip: `10.${(i >> 16) & 255}.${(i >> 8) & 255}.${i & 255}`, port: 10500 }, tunnel: false });
    if (r.kind !== "granted") continue; // beyond the cap: refused FA_FULL
    if (!fillPermissions) continue;
    pkt.set(hexBytes(hit), 4 + 24);
    for (let p = 0; p < perms; p++) {
      pkt[4 + 8 + 15] = p; // another peer HIT
      pkt[4 + 8 + 14] = i & 255;
      pkt[4 + 8 + 13] = i >> 8;
      fa.handleDatagram(1, 0, `203.0.${p}.${i & 255}`, 10500, pkt);
    }
  }
  if (fa.store.size !== cap) throw new Error(`cap not reached: ${fa.store.size}`);
  gc();
  const per = (process.memoryUsage().heapUsed - before) / cap;
  if (fillPermissions && (fa.counters.toHost !== cap * perms)) throw new Error("permissions not filled");
  return per;
}

export async function run(): Promise<BenchRow[]> {
  const rows: BenchRow[] = [];
  for (const puzzle of ["off", "on"] as const) {
    const a = amplification(puzzle);
    rows.push(costRow(`fa.amp.faq_flood.puzzle_${puzzle}`, "bytes out/bytes in", a.ratio, 1, { target: puzzle === "off" ? "<= 1" : "R1 (puzzle), like RFC 7401's R1", inBytes: a.inBytes, outBytes: a.outBytes, replies: a.replies }));
  }
  const cap = 10_000;
  const idle = memoryAtCap(cap, false);
  rows.push(costRow(`fa.memory.per_lease.at_cap.${cap}`, "bytes", idle, 2048, { target: "<= 2048", leases: cap }));
  const full = memoryAtCap(cap, true);
  rows.push(costRow(`fa.memory.per_lease.at_cap.${cap}.full_permissions`, "bytes", full, idle, { permissionsPerLease: 64, note: "baseline: idle lease" }));
  return rows;
}
