// fa-fleet forwarding rows (issue 15 acceptance: packets/s per fleet node ≥ 0.9x the single-node
// SQLite FA; a row for node-to-node forwarding). Four FaServers in this process, built once:
//   sqlite  — one FA, SQLite store (the baseline);
//   fleet   — one fleet node (Redis store) holding the host;
//   pair    — two fleet nodes on one Redis sharing a locator (SO_REUSEADDR): packets reach the
//             node that does not hold the host and are passed under HMAC to the holder.
// The same closed-loop sender (64 datagrams of 1400 B in flight) drives each in turn for a
// short round (150 ms), in ABBA order with the fleet node between the two others, so load
// drift on a shared machine hits the compared pair alike; reported: the median of the per-round
// ratios (and the median rates). Every packet is counted at the host's
// socket. One process: tx, FA(s) and rx share one thread, so these are CPU costs per packet.
import { createSocket, type Socket } from "node:dgram";
import { join } from "node:path";
import { SeededRng } from "../src/core/rng.ts";
import type { Locator } from "../src/core/types.ts";
import { faConfig } from "../src/fa/core/config.ts";
import { emitProbe, probeType } from "../src/fa/core/holder-probe.ts";
import { buildFaq, parseFaPacket } from "../src/fa/core/messages.ts";
import { FaServer, type FaServerOptions } from "../src/fa/server/server.ts";
import { RedisLeaseStore } from "../src/fa/store/redis.ts";
import { SqliteLeaseStore } from "../src/fa/store/sqlite.ts";
import { HostIdentity } from "../src/hip/identity.ts";
import { frameHip } from "../src/wire/framing.ts";
import { TunnelFrameType } from "../src/wire/tunnel.ts";
import { freeUdpPort } from "../test/helpers/net.ts";
import type { BenchRow } from "./run.ts";
import { rateRow } from "./util.ts";

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const median = (xs: number[]) => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length % 2 ? s[(s.length - 1) / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
};
const bind = (ip = "127.0.0.1"): Promise<Socket> =>
  new Promise((r) => {
    const s = createSocket("udp4");
    s.bind(0, ip, () => r(s));
  });

/** The host socket answers holder probes like a HostStack (docs/PROTOCOL.md §9.1), so the FA
 *  keeps forwarding to it however long the rounds run. */
async function hostSocket(): Promise<Socket> {
  const s = await bind();
  s.on("message", (m, r) => {
    if (m.length === 16 && probeType(m) === TunnelFrameType.PING) s.send(emitProbe(TunnelFrameType.PONG, new Uint8Array(m).subarray(8)), r.port, r.address);
  });
  return s;
}

interface Setup {
  servers: FaServer[];
  /** Where peers send (the leased locator). */
  to: Locator;
  host: Socket;
  tx: Socket;
  pkt: Uint8Array;
}

const ID = HostIdentity.generate(new SeededRng(1));
// Holder liveness off in all (§9.1): a host silent between its rounds would be probed and a
// window held back at the start of a round — the same for every setup, noise for this comparison.
const cfg = (control: Locator, shared: Locator) => faConfig({ control: [control], shared4: [shared], puzzle: "off", leasePacketsPerSecond: 1e9, leaseBytesPerSecond: 1e12, holderSilenceMs: 0 });

async function lease(server: FaServer, at: Locator, host: Socket, seed: number): Promise<number> {
  const hid = HostIdentity.generate(new SeededRng(seed));
  const faaP = new Promise<Uint8Array>((r) => host.once("message", (m) => r(new Uint8Array(m))));
  host.send(frameHip(buildFaq(hid, server.fa.hit, { requestId: 1, leaseId: 0, lifetime: 600, addrType: 4, spis: 16 })), at.port, at.ip);
  const faa = parseFaPacket((await faaP).subarray(4));
  if (!faa.ok) throw new Error("no FAA");
  return (faa.value.info!.address as { minSpi: number }).minSpi;
}

async function single(o: Omit<FaServerOptions, "identity" | "config">, ip: string, seed: number): Promise<Setup> {
  const loc = { ip, port: 0 };
  const server = await FaServer.start({ ...o, identity: ID, config: cfg(loc, loc) });
  const to = server.udp[0];
  const host = await hostSocket();
  const pkt = new Uint8Array(1400);
  new DataView(pkt.buffer).setUint32(0, await lease(server, to, host, seed));
  return { servers: [server], to, host, tx: await bind(), pkt };
}

/** Holder first, then the node that binds the shared locator last (the kernel delivers to it). */
async function pair(redisUrl: string, key: Uint8Array): Promise<Setup> {
  const shared = { ip: "127.0.0.10", port: await freeUdpPort() };
  const node = async (name: string, ip: string) =>
    FaServer.start({ identity: ID, config: cfg({ ip, port: 0 }, shared), store: await RedisLeaseStore.open({ url: `${redisUrl}?prefix=pair` }), fleet: { node: name, key, listen: { ip, port: 0 }, shared: [shared] } });
  const holder = await node("p1", "127.0.0.3");
  const host = await hostSocket();
  const spi = await lease(holder, holder.udp.find((l) => l.ip === "127.0.0.3")!, host, 3);
  const passer = await node("p2", "127.0.0.4");
  await sleep(300); // registry: each knows the other's node-to-node locator
  const pkt = new Uint8Array(1400);
  new DataView(pkt.buffer).setUint32(0, spi);
  return { servers: [holder, passer], to: shared, host, tx: await bind(), pkt };
}

/** Closed loop: WINDOW datagrams in flight, one more sent per one the host receives (no
 *  overload, no drop regime: stabler than open-loop blasting); a 5 ms top-up replaces losses
 *  (all in flight after 20 ms without progress). */
const WINDOW = 64;
async function blast(s: Setup, ms: number): Promise<number> {
  let got = 0;
  let sent = 0;
  const send = () => {
    sent++;
    s.tx.send(s.pkt, s.to.port, s.to.ip);
  };
  let open = true;
  const count = (m: Buffer) => {
    if (m.length <= 16) return; // holder probes
    got++;
    if (open) send();
  };
  s.host.on("message", count);
  const t0 = performance.now();
  for (let i = 0; i < WINDOW; i++) send();
  let seen = 0;
  let still = 0;
  const topUp = setInterval(() => {
    // nothing back for 20 ms (e.g. the FA holds a window while it probes a silent host): lost
    still = got === seen ? still + 1 : 0;
    seen = got;
    if (still >= 4) sent = got;
    for (let i = sent - got; i < WINDOW; i++) send();
  }, 5);
  await sleep(ms);
  const n = got;
  const dt = performance.now() - t0;
  open = false;
  clearInterval(topUp);
  await sleep(20);
  s.host.off("message", count);
  return (n * 1000) / dt;
}

export async function forwarding(redisUrl: string, dir: string, rounds = Number(process.env.FLEET_ROUNDS ?? 21), ms = 150): Promise<BenchRow[]> {
  const key = new Uint8Array(32).fill(7);
  const setups: Record<"sqlite" | "fleet" | "pair", Setup> = {
    sqlite: await single({ store: new SqliteLeaseStore(join(dir, "fwd.db")) }, "127.0.0.2", 2),
    fleet: await single({ store: await RedisLeaseStore.open({ url: `${redisUrl}?prefix=fwd` }), fleet: { node: "f1", key, listen: { ip: "127.0.0.2", port: 0 } } }, "127.0.0.2", 2),
    pair: await pair(redisUrl, key),
  };
  const names = Object.keys(setups) as (keyof typeof setups)[];
  const rate: Record<string, number[]> = { sqlite: [], fleet: [], pair: [] };
  const fleetVsSqlite: number[] = [];
  const pairVsFleet: number[] = [];
  try {
    for (const n of names) await blast(setups[n], 200); // warm-up (JIT, sockets)
    for (let r = 0; r < rounds; r++) {
      const got: Record<string, number> = {};
      // fleet in the middle: next to the sqlite baseline and to the pair; ABBA order over rounds
      const order: (keyof typeof setups)[] = r % 2 ? ["pair", "fleet", "sqlite"] : ["sqlite", "fleet", "pair"];
      for (const n of order) {
        got[n] = await blast(setups[n], ms);
        rate[n].push(got[n]);
      }
      fleetVsSqlite.push(got.fleet / got.sqlite);
      pairVsFleet.push(got.pair / got.fleet);
    }
    const passer = setups.pair.servers[1].stats();
    const holder = setups.pair.servers[0].stats();
    if (!(passer.toNode > 0 && holder.fromNode > 0)) throw new Error(`pair: not node-to-node (toNode ${passer.toNode}, fromNode ${holder.fromNode})`);
  } finally {
    for (const s of Object.values(setups)) {
      s.host.close();
      s.tx.close();
      for (const x of s.servers) await x.close();
    }
  }
  const r3 = (xs: number[]) => xs.map((x) => Math.round(x * 1000) / 1000);
  const fr = median(fleetVsSqlite);
  const pr = median(pairVsFleet);
  return [
    { ...rateRow("fa-fleet forwarding 1400 B, fleet node holding the host (Redis store) vs single-node SQLite FA, median of interleaved rounds", "packets/s", median(rate.fleet), median(rate.sqlite), { target_ratio: 0.9, rounds, round_ms: ms, round_ratios: r3(fleetVsSqlite) }), ratio: Math.round(fr * 1000) / 1000 },
    { ...rateRow("fa-fleet node-to-node forwarding 1400 B: packet reaches a node not holding the host, passed under HMAC to the holder, vs the direct path (fleet node holding the host), one process", "packets/s", median(rate.pair), median(rate.fleet), { rounds, round_ms: ms, round_ratios: r3(pairVsFleet), note: "both nodes share this process's one thread: the ratio is the CPU cost of the extra hop" }), ratio: Math.round(pr * 1000) / 1000 },
  ];
}
