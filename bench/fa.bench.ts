// Forwarding Agent benchmarks: forwarding rate through the FA server on loopback vs a bare
// Node UDP relay (same run), lease operations/s, memory per lease, FAQ flood with puzzle on/off.
import { createSocket, type Socket } from "node:dgram";
import { setFlagsFromString } from "node:v8";
import { runInNewContext } from "node:vm";
import { sha384 } from "@noble/hashes/sha2.js";
import { SeededRng } from "../src/core/rng.ts";
import { ForwardingAgent } from "../src/fa/core/agent.ts";
import { faConfig } from "../src/fa/core/config.ts";
import { LeaseManager } from "../src/fa/core/leases.ts";
import { emitProbe, probeType } from "../src/fa/core/holder-probe.ts";
import { buildFaq, parseFaPacket } from "../src/fa/core/messages.ts";
import { FaServer } from "../src/fa/server/server.ts";
import { MemoryLeaseStore } from "../src/fa/store/memory.ts";
import { HostIdentity } from "../src/hip/identity.ts";
import type { CryptoProvider } from "../src/core/crypto/provider.ts";
import { nodeCryptoProvider } from "../src/runtime/crypto-node.ts";
import { solvePuzzle } from "../src/hip/puzzle.ts";
import { frameHip } from "../src/wire/framing.ts";
import { TunnelFrameType } from "../src/wire/tunnel.ts";
import type { BenchRow } from "./run.ts";
import { costRow, opsPerSecond, rateRow } from "./util.ts";

const bind = (port = 0): Promise<Socket> =>
  new Promise((r) => {
    const s = createSocket("udp4");
    s.bind(port, "127.0.0.1", () => r(s));
  });

/** Blast `pkt` at `to` for `ms`, count arrivals at `rx`; returns packets/s delivered. With
 *  `pongTo`, `rx` answers the FA's holder probes as a lease holder does (FaClient): unanswered,
 *  the FA forwards only `holderQueue` more datagrams after 1 s of silence, then none. */
async function blast(tx: Socket, toPort: number, rx: Socket, pkt: Uint8Array, ms: number, pongTo?: number): Promise<number> {
  let got = 0;
  rx.on("message", (m: Buffer) => {
    if (pongTo !== undefined && probeType(m) === TunnelFrameType.PING) rx.send(emitProbe(TunnelFrameType.PONG, m.subarray(8)), pongTo, "127.0.0.1");
    else got++;
  });
  const end = performance.now() + ms;
  await new Promise<void>((resolve) => {
    const step = () => {
      if (performance.now() >= end) return resolve();
      for (let i = 0; i < 32; i++) tx.send(pkt, toPort, "127.0.0.1");
      setImmediate(step);
    };
    step();
  });
  await new Promise((r) => setTimeout(r, 50));
  rx.removeAllListeners("message");
  return (got * 1000) / ms;
}

async function forwarding(): Promise<BenchRow[]> {
  const pkt = new Uint8Array(1400);
  // bare relay baseline: every datagram re-sent to a fixed receiver
  const rx0 = await bind();
  const relay = await bind();
  const rxPort0 = rx0.address().port;
  relay.on("message", (m) => relay.send(m, rxPort0, "127.0.0.1"));
  const tx = await bind();
  const bare = await blast(tx, relay.address().port, rx0, pkt, 1500);
  relay.close();
  rx0.close();
  // through the FA: a leased host receives relay frames
  const id = HostIdentity.generate(new SeededRng(1));
  const server = await FaServer.start({ identity: id, config: faConfig({ control: [{ ip: "127.0.0.1", port: 0 }], shared4: [{ ip: "127.0.0.1", port: 0 }], puzzle: "off", leasePacketsPerSecond: 1e9, leaseBytesPerSecond: 1e12 }), store: new MemoryLeaseStore() });
  const faPort = server.udp[0].port;
  // the FA's locator has port 0 in its config; lease by hand at the bound address
  const host = await bind();
  const hid = HostIdentity.generate(new SeededRng(2));
  const faaP = new Promise<Uint8Array>((r) => host.once("message", (m) => r(new Uint8Array(m))));
  host.send(frameHip(buildFaq(hid, server.fa.hit, { requestId: 1, leaseId: 0, lifetime: 600, addrType: 4, spis: 16 })), faPort, "127.0.0.1");
  const faa = parseFaPacket((await faaP).subarray(4));
  if (!faa.ok) throw new Error("no FAA");
  const spi = (faa.value.info!.address as { minSpi: number }).minSpi;
  new DataView(pkt.buffer).setUint32(0, spi);
  const viaFa = await blast(tx, faPort, host, pkt, 1500, faPort);
  host.close();
  tx.close();
  await server.close();
  return [
    rateRow("fa.forward.1400B", "packets/s", viaFa, bare, { baselineName: "bare node udp relay" }),
    rateRow("fa.forward.1400B.MBps", "MB/s", (viaFa * 1400) / 1e6, (bare * 1400) / 1e6),
  ];
}

function leaseOps(): BenchRow[] {
  const rng = new SeededRng(3);
  const m = new LeaseManager(faConfig({ shared4: [{ ip: "192.0.2.1", port: 10500 }], leaseMax: 3600, maxLeases: Number.POSITIVE_INFINITY, leasesPerSource: Number.POSITIVE_INFINITY }), new MemoryLeaseStore(), rng);
  let i = 0;
  const host = { ip: "198.51.100.1", port: 1 };
  const rate = opsPerSecond(() => {
    const hit = (0x20010020_00000000n + BigInt(i++)).toString(16).padStart(32, "0");
    m.handle(i * 10, { hit, requestId: 1, leaseId: 0, addrType: 4, spis: 0, lifetime: 60, host, tunnel: false });
  }, 500);
  // signed FAQ → FAA (what a host sees): verify + sign per operation, on node:crypto (syncCrypto,
  // as FaServer runs it) and on @noble (a bare ForwardingAgent's default) in the same run.
  const renew = (syncCrypto: CryptoProvider | undefined): number => {
    const fa = new ForwardingAgent({ identity: HostIdentity.generate(rng), config: faConfig({ control: [{ ip: "192.0.2.1", port: 10500 }], shared4: [{ ip: "192.0.2.1", port: 10500 }], puzzle: "off" }), store: new MemoryLeaseStore(), rng, syncCrypto });
    const hid = HostIdentity.generate(rng);
    let req = 0;
    const first = frameHip(buildFaq(hid, fa.hit, { requestId: 0, leaseId: 0, lifetime: 600, addrType: 4, spis: 0 }));
    fa.handleDatagram(0, 0, "198.51.100.1", 1, first);
    const leaseId = (parseFaPacket(fa.pollTransmit()!.data.subarray(4)) as { ok: true; value: { info: { leaseId: number } } }).value.info.leaseId;
    const faqs = Array.from({ length: 4000 }, () => frameHip(buildFaq(hid, fa.hit, { requestId: ++req & 0xffff, leaseId, lifetime: 600, addrType: 4, spis: 0 })));
    let k = 0;
    // Each FAQ once: a repeated request ID is a replay the agent rightly does not answer.
    return opsPerSecond(() => {
      fa.handleDatagram(1, 0, "198.51.100.1", 1, faqs[k++]);
      if (!fa.pollTransmit()) throw new Error("no FAA");
    }, 500, faqs.length);
  };
  const signed = renew(nodeCryptoProvider());
  const noble = renew(undefined);
  return [rateRow("fa.lease.alloc", "ops/s", rate, null), rateRow("fa.lease.renew.signed", "ops/s", signed, noble, { note: "FAQ verify + FAA sign (P-256), node:crypto (FaServer: syncCrypto)", baselineName: "same, @noble inline (a bare ForwardingAgent)" })];
}

function memory(): BenchRow[] {
  setFlagsFromString("--expose-gc");
  const gc = runInNewContext("gc") as () => void;
  const rows: BenchRow[] = [];
  for (const n of [10_000, 100_000]) {
    gc();
    const before = process.memoryUsage().heapUsed;
    const store = new MemoryLeaseStore();
    const m = new LeaseManager(faConfig({ shared4: [{ ip: "192.0.2.1", port: 10500 }], maxLeases: n }), store, new SeededRng(4));
    for (let i = 0; i < n; i++) {
      const hit = `2001002${i.toString(16).padStart(25, "0")}`;
      m.handle(0, { hit, requestId: 1, leaseId: 0, addrType: 4, spis: 0, lifetime: 600, host: { ip: `10.${(i >> 16) & 255}.${(i >> 8) & 255}.${i & 255}`, port: 10500 }, tunnel: false });
    }
    gc();
    const per = (process.memoryUsage().heapUsed - before) / n;
    rows.push(costRow(`fa.memory.per_lease.${n}`, "bytes", per, 2048, { target: "<= 2048", leases: store.size }));
  }
  return rows;
}

/** 2000 bogus FAQs (bad signatures) with 100 legitimate ones interleaved; the FA gets 1 s of
 *  CPU in arrival order. Legit hosts with the puzzle on answer a challenge fetched earlier. */
function flood(): BenchRow[] {
  const rows: BenchRow[] = [];
  const rng = new SeededRng(6);
  const faId = HostIdentity.generate(rng);
  const legitIds = Array.from({ length: 100 }, () => HostIdentity.generate(rng));
  const bogusId = HostIdentity.generate(rng);
  for (const puzzle of ["off", "on"] as const) {
    const fa = new ForwardingAgent({ identity: faId, config: faConfig({ control: [{ ip: "192.0.2.1", port: 10500 }], shared4: [{ ip: "192.0.2.1", port: 10500 }], puzzle, puzzleK: 8, loadThreshold: 1e9, fadPerSecond: 0 }), store: new MemoryLeaseStore(), rng });
    const legit = legitIds.map((id, i) => {
      const f = { requestId: i, leaseId: 0, lifetime: 600, addrType: 4 as const, spis: 0 };
      if (puzzle === "off") return frameHip(buildFaq(id, fa.hit, f));
      fa.handleDatagram(0, 0, "198.51.100.2", i, frameHip(buildFaq(id, fa.hit, f)));
      const r1 = parseFaPacket(fa.pollTransmit()!.data.subarray(4));
      if (!r1.ok) throw new Error("no R1");
      const pz = r1.value.puzzle!;
      const j = solvePuzzle((m) => sha384(m), rng, pz.randomI, id.hit, fa.hit, pz.k)!;
      return frameHip(buildFaq(id, fa.hit, f, { kind: "SOLUTION", k: pz.k, opaque: pz.opaque, randomI: pz.randomI, solutionJ: j }));
    });
    const bogus = frameHip(buildFaq(bogusId, fa.hit, { requestId: 1, leaseId: 0, lifetime: 600, addrType: 4, spis: 0 }));
    bogus[bogus.length - 3] ^= 0xff;
    const arrivals: Uint8Array[] = [];
    for (let i = 0; i < 2100; i++) arrivals.push(i % 21 === 20 ? legit[(i / 21) | 0] : bogus);
    const end = performance.now() + 1000;
    let processed = 0;
    for (const a of arrivals) {
      if (performance.now() >= end) break;
      fa.handleDatagram(0, 0, "198.51.100.3", 7, a);
      while (fa.pollTransmit());
      processed++;
    }
    rows.push(rateRow(`fa.flood.puzzle_${puzzle}.legit_success`, "fraction", fa.counters.faa / legit.length, null, { processed, offered: arrivals.length }));
  }
  return rows;
}

export async function run(): Promise<BenchRow[]> {
  return [...(await forwarding()), ...leaseOps(), ...memory(), ...flood()];
}
