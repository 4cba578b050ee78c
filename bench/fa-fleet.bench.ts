// FA fleet (issue 15) bench rows, one run: failover resume time vs the fa-crash lab's re-lease
// path (fa-fleet-failover.ts); lease grants/s with 1, 2, 3 real `hipmm fa --node` processes on
// one Redis; forwarding packets/s of a fleet node vs a single-node SQLite FA and node-to-node vs
// direct, interleaved rounds in one process (fa-fleet-forward.ts); double allocations over
// FLEET_GRANTS (default 100000) concurrent grants across 3 node processes.
// Needs redis-server; skipped (one row saying so) without it. Noisy on a shared machine.
// FLEET_ONLY=failover|forwarding runs one part.
import { spawn } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { SeededRng } from "../src/core/rng.ts";
import { ForwardingAgent } from "../src/fa/core/agent.ts";
import { faConfig } from "../src/fa/core/config.ts";
import { buildFaq, parseFaPacket } from "../src/fa/core/messages.ts";
import { RedisLeaseStore } from "../src/fa/store/redis.ts";
import { HostIdentity } from "../src/hip/identity.ts";
import { frameHip } from "../src/wire/framing.ts";
import { type FleetNode, fleetSpec, hitBytes, killNode, startNode, Udp } from "../test/fa/fleet-harness.ts";
import { espPacket } from "../test/fa/harness.ts";
import { haveRedis, RedisServer } from "../test/helpers/redis.ts";
import { failover } from "./fa-fleet-failover.ts";
import { forwarding } from "./fa-fleet-forward.ts";
import type { BenchRow } from "./run.ts";
import { costRow, opsPerSecond, rateRow } from "./util.ts";

/** FAQs from `hosts` pre-signed, spread over `nodes`, `window` in flight: FAAs per second. */
async function grants(redisUrl: string, dir: string, count: number): Promise<number> {
  const r = await RedisServer.start();
  const f = await fleetSpec(dir, r.url);
  const nodes: FleetNode[] = [];
  const socks: Udp[] = [];
  try {
    for (let i = 0; i < count; i++) nodes.push(await startNode(f, String.fromCharCode(97 + i), `127.0.0.${2 + i}`));
    const faHit = hitBytes(nodes[0].ready);
    const N = 300;
    const ids = Array.from({ length: N }, (_, i) => HostIdentity.generate(new SeededRng(20_000 + i)));
    const faqs = ids.map((id) => frameHip(buildFaq(id, faHit, { requestId: 1, leaseId: 0, lifetime: 600, addrType: 4, spis: 16 })));
    for (let i = 0; i < 30; i++) socks.push(await Udp.open(`127.0.1.${1 + i}`));
    let ok = 0;
    let done = 0;
    const t0 = performance.now();
    await new Promise<void>((resolve) => {
      let next = 0;
      const send = () => {
        const i = next++;
        if (i >= N) return;
        const s = socks[i % socks.length];
        s.send(faqs[i], nodes[i % nodes.length].control);
      };
      for (const s of socks)
        s.sock.on("message", (m) => {
          const p = parseFaPacket(new Uint8Array(m).subarray(4), false);
          if (p.ok && p.value.packetType === 12) ok++;
          if (++done === N) resolve();
          else send();
        });
      for (let i = 0; i < 32; i++) send();
      setTimeout(resolve, 60_000);
    });
    const ms = performance.now() - t0;
    return (ok * 1000) / ms;
  } finally {
    for (const n of nodes) await killNode(n);
    for (const s of socks) s.close();
    await r.stop();
    void redisUrl;
  }
}

/** The per-packet forwarding decision in the sans-I/O agent (no sockets: no scheduler noise):
 *  a fleet node holding the host vs a single-node FA, interleaved rounds, median ratio. */
function core(rounds = 9): BenchRow[] {
  const loc = { ip: "192.0.2.1", port: 10500 };
  const host = { ip: "198.51.100.7", port: 5000 };
  // both write-through (a server's agent always is); only the fleet node name differs
  const agent = (fleet: boolean) => {
    const fa = new ForwardingAgent({ identity: HostIdentity.generate(new SeededRng(1)), config: faConfig({ control: [loc], shared4: [loc], puzzle: "off", leasePacketsPerSecond: 1e12, leaseBytesPerSecond: 1e15 }), rng: new SeededRng(2), durable: true, node: fleet ? "a" : undefined });
    fa.handleDatagram(0, 0, host.ip, host.port, frameHip(buildFaq(HostIdentity.generate(new SeededRng(3)), fa.hit, { requestId: 1, leaseId: 0, lifetime: 600, addrType: 4, spis: 16 })));
    for (let j = fa.pollJob(); j; j = fa.pollJob()) fa.completeJob(0, j.id, { ok: true, value: "ok" });
    const spi = fa.store.byHit(fa.store.unexpired(0)[0].hit)[0].spiMin;
    const pkt = espPacket(spi, 1, 1400);
    if (fa.handleDatagram(1, 0, "203.0.113.9", 7000, pkt)?.to.ip !== host.ip) throw new Error("not forwarded");
    return () => opsPerSecond(() => fa.handleDatagram(1, 0, "203.0.113.9", 7000, pkt), 150);
  };
  const one = agent(false);
  const fleet = agent(true);
  const r: { single: number[]; fleet: number[]; ratio: number[] } = { single: [], fleet: [], ratio: [] };
  for (let i = 0; i < rounds; i++) {
    const [x, y] = i % 2 ? [fleet(), one()] : [one(), fleet()].reverse();
    r.fleet.push(x);
    r.single.push(y);
    r.ratio.push(x / y);
  }
  const med = (xs: number[]) => [...xs].sort((a, b) => a - b)[(xs.length - 1) >> 1];
  return [{ ...rateRow("fa-fleet agent forwarding decision 1400 B (sans-I/O), fleet node vs single-node FA, median of interleaved rounds", "packets/s", med(r.fleet), med(r.single), { target_ratio: 0.9, rounds }), ratio: Math.round(med(r.ratio) * 1000) / 1000 }];
}

/** Three worker processes run the core allocation path against one Redis; count SPI blocks
 *  answered FAA twice, and FAAs whose lease is not in Redis as granted. */
async function doubles(redisUrl: string, dir: string, total: number): Promise<BenchRow[]> {
  const per = Math.ceil(total / 3);
  const blocks = Math.ceil(per * 3 * 1.25); // 80 % full at the end: nodes race for the last blocks
  const worker = join(import.meta.dirname, "fixtures", "fleet-alloc-worker.ts");
  const t0 = performance.now();
  const outs = await Promise.all(
    ["a", "b", "c"].map(
      (node) =>
        new Promise<{ ms: number; granted: [string, number, number, number][]; refused: Record<string, number> }>((resolve, reject) => {
          const out = join(dir, `alloc-${node}.json`);
          const c = spawn(process.execPath, ["--import", "tsx", worker, redisUrl, node, String(per), String(blocks), out], { stdio: ["ignore", "inherit", "inherit"] });
          c.once("exit", (code) => (code === 0 ? resolve(JSON.parse(readFileSync(out, "utf8"))) : reject(new Error(`worker ${node} exited ${code}`))));
        }),
    ),
  );
  const wall = performance.now() - t0;
  const owner = new Map<number, string>();
  let double = 0;
  let granted = 0;
  for (const o of outs)
    for (const [hit, id, min, max] of o.granted) {
      granted++;
      for (let b = min >>> 4; b <= max >>> 4; b++) {
        if (owner.has(b)) double++;
        else owner.set(b, `${hit}:${id}`);
      }
    }
  const s = await RedisLeaseStore.open({ url: redisUrl, commandTimeoutMs: 30_000 });
  const held = await s.load(Date.now());
  await s.close();
  const inStore = new Set(held.map((l) => `${l.hit}:${l.leaseId}:${l.spiMin}`));
  let missing = 0;
  for (const o of outs) for (const [hit, id, min] of o.granted) if (!inStore.has(`${hit}:${id}:${min}`)) missing++;
  const refused: Record<string, number> = {};
  for (const o of outs) for (const [k, v] of Object.entries(o.refused)) refused[k] = (refused[k] ?? 0) + v;
  return [
    costRow(`fa-fleet double allocations over ${per * 3} concurrent grants across 3 nodes (${blocks} SPI blocks)`, "count", double + missing, null, { granted, refused, faa_not_in_store: missing, wall_ms: Math.round(wall) }),
    rateRow("fa-fleet allocation path: grants/s, 3 node processes on one Redis (no signatures)", "grants/s", (granted * 1000) / wall, null),
  ];
}


export async function run(): Promise<BenchRow[]> {
  if (!haveRedis()) return [{ name: "fa-fleet skipped: redis-server not installed", unit: "", value: 0, baseline: null, ratio: null }];
  const dir = mkdtempSync(join(tmpdir(), "hipmm-fleet-bench-"));
  const redis = await RedisServer.start();
  const rows: BenchRow[] = [];
  const only = process.env.FLEET_ONLY;
  try {
    if (only === "forwarding") return [...core(), ...(await forwarding(redis.url, dir))];
    if (only === "failover") return await failover(redis.url, dir);
    rows.push(...(await failover(redis.url, dir)));
    const g: number[] = [];
    for (const n of [1, 2, 3]) g.push(await grants(redis.url, dir, n));
    for (const [i, v] of g.entries()) rows.push(rateRow(`fa-fleet lease grants/s, ${i + 1} node${i ? "s" : ""} on one Redis (signed FAQ → FAA)`, "grants/s", v, g[0], { baselineName: "1 node" }));
    rows.push(...core(), ...(await forwarding(redis.url, dir)));
    rows.push(...(await doubles(redis.url, dir, Number(process.env.FLEET_GRANTS ?? 100_000))));
  } finally {
    await redis.stop();
    rmSync(dir, { recursive: true, force: true });
  }
  return rows;
}
