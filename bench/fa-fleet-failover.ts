// fa-fleet failover row (issue 15 acceptance: traffic resumes through another node within
// 100 ms + one RTT of its node's death). Three real `hipmm fa --node` processes; a peer streams
// ESP to the fleet's shared locator every 2 ms; each round SIGKILLs the node delivering to the
// host and times, from the moment SIGKILL is sent, the first packet the host gets through
// another node (the takeover, docs/PROTOCOL.md §13.1: no host action, no FAQ, no REA). Split:
// detect = the taking-over node's "fleet node down" log line (its wall clock) − the kill (ours);
// reattach = the rest. Also: the host's first packet out through the new node (it follows the
// relay frame), and the RTT host → node → peer → node → host before the kills. A second row
// freezes the holder (SIGSTOP) instead: no ICMP, the heartbeat path (a dead machine).
import { SeededRng } from "../src/core/rng.ts";
import type { Locator } from "../src/core/types.ts";
import { wrapRelay } from "../src/fa/core/relay.ts";
import { LIVENESS_DEFAULTS } from "../src/fa/server/fleet-peers.ts";
import { HostIdentity } from "../src/hip/identity.ts";
import { runScenario } from "../src/lab/scenarios.ts";
import { faq, type FleetNode, fleetSpec, hitBytes, killNode, startNode, Udp } from "../test/fa/fleet-harness.ts";
import { espPacket } from "../test/fa/harness.ts";
import type { BenchRow } from "./run.ts";
import { costRow } from "./util.ts";

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const same = (a: Locator, b: Locator) => a.ip === b.ip && a.port === b.port;
const median = (xs: number[]) => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length ? (s.length % 2 ? s[(s.length - 1) / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2) : Number.NaN;
};

export async function failover(redisUrl: string, dir: string, rounds = Number(process.env.FLEET_FAILOVERS ?? 4), frozenRounds = Number(process.env.FLEET_FROZEN ?? 3)): Promise<BenchRow[]> {
  const f = await fleetSpec(dir, redisUrl);
  const nodes: FleetNode[] = [];
  const host = (await Udp.open()).answerProbes(); // as a HostStack does (docs/PROTOCOL.md §9.1)
  const peer = await Udp.open();
  const total: number[] = [];
  const detect: number[] = [];
  const reasons: string[] = [];
  const frozen: number[] = [];
  const started = new Map<FleetNode, number>();
  let claimRetries = 0;
  const frozenDetect: number[] = [];
  const frozenBy: string[] = [];
  const outbound: number[] = [];
  const rtt: number[] = [];
  const ips: Record<string, string> = { a: "127.0.0.2", b: "127.0.0.3", c: "127.0.0.4" };
  let timer: ReturnType<typeof setInterval> | undefined;
  try {
    for (const name of ["b", "c", "a"]) nodes.push(await startNode(f, name, ips[name]));
    for (const n of nodes) started.set(n, started.size);
    const id = HostIdentity.generate(new SeededRng(9100));
    const faa = await faq(host, nodes[2].control, id, hitBytes(nodes[2].ready), { requestId: 1, leaseId: 0, lifetime: 600, addrType: 4, spis: 16 });
    const spi = (faa.info!.address as { minSpi: number }).minSpi;
    const leased = { ip: (faa.info!.address as { ip: string }).ip, port: faa.info!.port };
    peer.send(espPacket(spi, 1, 100), f.shared); // the holder learns the peer (relay permission)
    await host.next();
    // RTT through the holder: a relay frame out, the peer answers at once, back through the node
    peer.sock.on("message", (m) => {
      if (m.length === 64) peer.send(espPacket(spi, 1, 65), f.shared);
    });
    for (let i = 0; i < 20; i++) {
      const t = performance.now();
      host.send(wrapRelay(leased, peer.locator, espPacket(0x4242, i + 1, 64)), nodes[2].control);
      await host.next((x) => x.data.length > 65, 2000);
      rtt.push(performance.now() - t);
      host.queue.length = 0;
    }
    let seq = 0;
    timer = setInterval(() => peer.send(espPacket(spi, ++seq, 100), f.shared), 2);
    for (let k = 0; k < rounds; k++) {
      await sleep(300);
      host.queue.length = 0;
      const last = await host.next(() => true, 5000).catch((e) => {
        for (const n of nodes) n.child.kill("SIGUSR1");
        return sleep(500).then(() => {
          for (const n of nodes) console.error(n.name, JSON.stringify(n.lines.slice(-3)));
          throw new Error(`round ${k}: no packets: ${e}`);
        });
      });
      const holder = nodes.find((n) => same(n.control, last.from));
      if (!holder) throw new Error(`packets from ${last.from.ip}:${last.from.port}: no node`);
      const others = nodes.filter((n) => n !== holder);
      const seen = others.map((n) => n.lines.length);
      const wall0 = Date.now();
      const t0 = performance.now();
      holder.child.kill("SIGKILL");
      const got = await host.next((x) => others.some((n) => same(n.control, x.from)), 5000);
      total.push(performance.now() - t0);
      const taker = others.find((n) => same(n.control, got.from))!;
      // the host follows the node that forwarded to it: its next packet goes out through it
      const t1 = performance.now();
      host.send(wrapRelay(leased, peer.locator, espPacket(0x4242, 100 + k, 90)), taker.control);
      await peer.next((x) => x.data.length === 90, 5000);
      outbound.push(performance.now() - t1);
      await sleep(100);
      const down = taker.lines.slice(seen[others.indexOf(taker)]).find((r) => r.msg === "fleet node down: taking over its hosts" && r.node === holder.name);
      detect.push(down ? Number(down.at) - wall0 : Number.NaN);
      reasons.push(String(down?.reason ?? "?"));
      // bring the dead node back (it loads every lease from Redis) for the next round
      await killNode(holder);
      const back = await startNode(f, holder.name, ips[holder.name]);
      started.set(back, started.size);
      nodes.splice(nodes.indexOf(holder), 1, back);
      await sleep(700); // registry refresh: the others know its new node-to-node port
    }
    // Frozen holder (SIGSTOP: bound sockets, no ICMP, no heartbeats — what a dead machine or a
    // partition looks like): the host moves to a node that does not receive the shared locator,
    // which is then frozen; the receiver finds it silent after deadAfter heartbeat intervals.
    for (let k = 0; k < frozenRounds; k++) {
      await sleep(300);
      host.queue.length = 0;
      // the kernel delivers the shared locator to the socket bound last (SO_REUSEADDR): the
      // node started last; y is another one
      const receiver = nodes.reduce((a, b) => (started.get(a)! > started.get(b)! ? a : b));
      const y = nodes.find((n) => n !== receiver)!;
      // the host sends through y (as a host with traffic does, a relay frame every 20 ms) until
      // the peer's packets have come only through y for 200 ms: y holds it, the receiver passes
      let settled = false;
      for (let tries = 0; tries < 5 && !settled; tries++) {
        const claim = setInterval(() => host.send(wrapRelay(leased, peer.locator, espPacket(0x4242, 200 + k, 91)), y.control), 20);
        try {
          await host.next((x) => same(x.from, y.control), 5000);
        } finally {
          clearInterval(claim);
        }
        host.queue.length = 0; // (what came before the claim reached the receiver)
        await sleep(200);
        settled = !host.queue.some((x) => !same(x.from, y.control) && x.data.length > 16); // (probes aside)
        if (!settled) claimRetries++;
      }
      if (!settled && process.env.FLEET_DEBUG) for (const n of nodes) console.error(n.name, JSON.stringify(n.lines.filter((x) => String(x.msg).startsWith("fleet") || String(x.msg).startsWith("lease")).slice(-6)));
      if (!settled) throw new Error(`frozen round ${k}: packets keep coming through another node than ${y.name} after its claims`);
      const others = nodes.filter((n) => n !== y);
      const seen = others.map((n) => n.lines.length);
      host.queue.length = 0;
      const wall0 = Date.now();
      const t0 = performance.now();
      y.child.kill("SIGSTOP");
      try {
        const got = await host.next((x) => others.some((n) => same(n.control, x.from)), 5000);
        frozen.push(performance.now() - t0);
        await sleep(100);
        const taker = others.find((n) => same(n.control, got.from))!;
        const down = taker.lines.slice(seen[others.indexOf(taker)]).find((r) => r.msg === "fleet node down: taking over its hosts" && r.node === y.name);
        frozenDetect.push(down ? Number(down.at) - wall0 : Number.NaN);
        frozenBy.push(String(down?.reason ?? "?"));
      } finally {
        y.child.kill("SIGCONT");
      }
      await sleep(500); // heartbeats again: y is up
    }
  } finally {
    if (timer) clearInterval(timer);
    for (const n of nodes) n.child.kill("SIGCONT");
    for (const n of nodes) await killNode(n);
    host.close();
    peer.close();
  }
  const crash = runScenario("fa-crash", 1).summary;
  const r = median(rtt);
  const m = median(total);
  return [
    costRow("fa-fleet failover: holder node SIGKILLed → first packet to the host through another node (takeover, no host action, no FAQ, no REA), median", "ms", m, crash.handover_ms_to_mover ?? 559, {
      runs: total.map((x) => Math.round(x * 10) / 10),
      detect_ms: detect.map((x) => Math.round(x)),
      detect_by: reasons,
      reattach_ms: total.map((x, i) => Math.round((x - detect[i]) * 10) / 10),
      host_outbound_ms: outbound.map((x) => Math.round(x * 10) / 10),
      rtt_ms: Math.round(r * 100) / 100,
      target_ms: Math.round((100 + r) * 100) / 100,
      met: m <= 100 + r,
      stream_interval_ms: 2,
      baselineName: "fa-crash lab: re-lease at FA2 + REA",
    }),
    costRow(`fa-fleet failover: holder node frozen (SIGSTOP: no ICMP, as a dead machine) → first packet through another node (heartbeats ${LIVENESS_DEFAULTS.heartbeatMs} ms, dead after ${LIVENESS_DEFAULTS.deadAfter} missed), median`, "ms", median(frozen), crash.handover_ms_to_mover ?? 559, {
      runs: frozen.map((x) => Math.round(x * 10) / 10),
      detect_ms: frozenDetect.map((x) => Math.round(x)),
      detect_by: frozenBy,
      claim_retries: claimRetries,
      target_ms: Math.round((100 + r) * 100) / 100,
      met: median(frozen) <= 100 + r,
      baselineName: "fa-crash lab: re-lease at FA2 + REA",
    }),
  ];
}
