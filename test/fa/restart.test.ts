// A host behind an FA restarts (same identity, no state) while its old lease runs on
// (docs/PROTOCOL.md §7.11, §9): its new-lease FAQ must not look like a replay, and HIP for its
// HIT must reach the new lease, not the dead holder of the old one.
import assert from "node:assert/strict";
import { test } from "node:test";
import { wallClockRequestId } from "../../src/fa/client/client.ts";
import { hitHex } from "../../src/fa/core/lease.ts";
import { espPacket, makeFa, Net, TestHost } from "./harness.ts";

const FA4 = { ip: "192.0.2.1", port: 10500 };
const cfg = { control: [FA4], shared4: [FA4], pool6: [], holderSilenceMs: 500, holderProbeMs: 200, holderProbes: 2, holderQueue: 8 };
const WALL = 1_796_000_000_000; // Date.now() of the first run's start

/** A run of host 90 at `ip`, renewing every second (lifetime 2 s); `wall`: FaClientOptions.wallOffsetMs. */
function run(net: Net, ip: string, wall: number | undefined, lifetime = 2) {
  const h = new TestHost(net, 90, { ip, port: 5000 });
  const c = h.lease({ fas: [{ locator: FA4 }], addrType: 4, lifetime, ...(wall === undefined ? {} : { wallOffsetMs: wall }) });
  return { h, c, hit: hitHex(h.hip.identity.hit) };
}

for (const wall of [undefined, WALL] as const) {
  test(`restart behind an FA, Request IDs ${wall === undefined ? "random-start (before)" : "from the wall clock"}: the new run ${wall === undefined ? "is shut out as a replay" : "leases again"}`, () => {
    const net = new Net();
    const { fa } = makeFa(net, 1, cfg);
    const first = run(net, "198.51.100.90", wall);
    net.advance(5500); // the lease and ~5 renewals: its Request ID moved on
    assert.ok(first.c.lease, "first run leased");
    const oldId = fa.store.byHit(first.hit)[0].requestId;
    net.dead.add("198.51.100.90:5000"); // crash: nothing more from or to it
    // The same identity, same random generator (a real restart draws anew: half the time older).
    const second = run(net, "198.51.100.91", wall === undefined ? undefined : wall);
    net.advance(800); // the old lease runs ≥ 1 s more (renewed every second, lifetime 2 s)
    if (wall === undefined) {
      assert.equal(second.c.lease, undefined, "no lease: its FAQs are older than the old lease's (dropped as replays)");
      assert.ok((fa.stats().drops.faq_replayed ?? 0) > 0);
      return;
    }
    assert.ok(second.c.lease, `leased again (old lease Request ID ${oldId})`);
    const ids = fa.store.byHit(second.hit).map((l) => l.requestId);
    assert.ok(ids.includes(wallClockRequestId(net.now - 800 + WALL)), `the new run's first ID is the wall clock's: ${ids}`);
  });
}

test("HIP for a HIT with two leases goes to the newest whose holder is alive; ESP still by SPI", () => {
  const net = new Net();
  const { fa } = makeFa(net, 1, cfg);
  const first = run(net, "198.51.100.90", WALL, 60);
  net.advance(500);
  const oldLease = first.c.lease!;
  net.dead.add("198.51.100.90:5000");
  const second = run(net, "198.51.100.91", WALL, 60);
  net.advance(500);
  const newLease = second.c.lease!;
  assert.ok(newLease && newLease.spiMin !== oldLease.spiMin, "two leases, two SPI ranges");
  // A peer sends ESP to the old range: the FA probes the silent old holder and declares it dead.
  const peer = new TestHost(net, 92, { ip: "203.0.113.92", port: 4000 });
  for (let i = 0; i < 200; i++) {
    peer.sendRaw(FA4, espPacket(oldLease.spiMin, i));
    net.advance(10);
  }
  assert.equal(fa.stats().holders.dead, 1);
  // HIP addressed to the host's HIT (an I1, as a peer's liveness UPDATE would be) reaches the new run.
  const before = second.h.hip.counters["rx.I1"] ?? 0;
  peer.hip.connect(net.now, FA4, second.h.hip.identity.hit, peer.locator);
  net.run();
  assert.ok((second.h.hip.counters["rx.I1"] ?? 0) > before, "the restarted host got the HIP packet");
});

test("a lease that expires while its renewal is still retried (FA unreachable) is lost at once: no deadline in the past", () => {
  const net = new Net();
  makeFa(net, 1, cfg);
  const { c } = run(net, "198.51.100.90", WALL);
  net.advance(500);
  const expires = c.lease!.expires;
  net.dead.add(`${FA4.ip}:${FA4.port}`);
  const events: string[] = [];
  // Step the client by hand: every timeout it reports must lie ahead of the time it last ran.
  for (let i = 0, now = net.now; i < 1000 && now < expires + 5000; i++) {
    const t = c.pollTimeout();
    assert.ok(t === undefined || t > now || i === 0, `timeout ${t} not after ${now} (step ${i})`);
    now = Math.max(t ?? now + 100, now);
    net.now = now;
    c.handleTimeout(now);
    for (let e = c.pollEvent(); e; e = c.pollEvent()) events.push(e.type);
  }
  assert.ok(events.includes("lost"), events.join(","));
  assert.equal(c.lease, undefined);
});
