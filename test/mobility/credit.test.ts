// Source credit (policy `sourceCredit`, beyond the draft; RFC 9000 §8.1, §9.3): data to an REA's
// own source address before its ACR, at most 3× the bytes received from it; never to addresses
// that were only listed; replays do not earn it. Real stacks (LabHost) in the simulator.
import assert from "node:assert/strict";
import { test } from "node:test";
import { locatorKey, sameLocator, type Locator, type Transmit } from "../../src/core/types.ts";
import { SourceCredit } from "../../src/mobility/credit.ts";
import { codecKeys } from "../../src/mobility/extension.ts";
import { mobilityContext } from "../../src/mobility/codec.ts";
import type { SimEndpoint, TraceEvent } from "../../src/sim/types.ts";
import { events, isHip, L, pair } from "./util.ts";

const CREDIT = { sourceCredit: true, sourceCreditDatagramBytes: 128 };
const typeOf = (d: Uint8Array) => d[4 + 2] & 0x7f;

class Sink implements SimEndpoint {
  packets = 0;
  bytes = 0;
  data = 0;
  dataBytes = 0;
  handleDatagram(_now: number, d: Uint8Array): void {
    this.packets++;
    this.bytes += d.length;
    if (!isHip(d)) {
      this.data++;
      this.dataBytes += d.length;
    }
  }
  handleTimeout(): void {}
  pollTransmit(): Transmit | undefined {
    return undefined;
  }
  pollTimeout(): number | undefined {
    return undefined;
  }
}

/** Bytes `node` sent to / received from `l` in [t0, t1). */
function bytesBetween(trace: readonly TraceEvent[], node: string, l: Locator, t0: number, t1: number) {
  const inWin = (e: TraceEvent) => e.t >= t0 && e.t < t1;
  const sent = trace.filter((e) => e.kind === "sent" && e.node === node && sameLocator(e.to, l) && inWin(e));
  const got = trace.filter((e) => e.kind === "delivered" && e.node === node && sameLocator(e.from, l) && inWin(e));
  return { sent: sent.reduce((n, e) => n + e.bytes, 0), data: sent.filter((e) => !isHip(e.data)).length, received: got.reduce((n, e) => n + e.bytes, 0) };
}

test("SourceCredit: 3× the bytes received, byte-exact; no credit without a grant; clear ends it", () => {
  const c = new SourceCredit(3);
  const x = L("10.9.0.1");
  assert.equal(c.spend(x, 1), false, "no grant, no credit");
  c.grant(x, 100);
  assert.equal(c.remaining(x), 300);
  assert.ok(c.spend(x, 200));
  assert.equal(c.spend(x, 101), false, "would exceed 3 × 100");
  assert.ok(c.spend(x, 100));
  assert.equal(c.remaining(x), 0);
  c.received(x, 10);
  assert.equal(c.remaining(x), 30);
  assert.deepEqual(c.stats(x), { received: 110, sent: 300 });
  c.received(L("10.9.0.2"), 1000); // not granted: ignored
  assert.equal(c.remaining(L("10.9.0.2")), 0);
  c.clear(x);
  assert.equal(c.has(x), false);
});

test("credit limit honoured: before the ACR, B sends the mover's REA source ≤ 3× what it received from there", () => {
  const a1 = L("10.0.0.1");
  const a2 = L("10.9.0.1");
  const { sim, a, b } = pair(31, a1, L("10.0.0.2"), CREDIT);
  b.startFlow(a, 100, 1500, 1); // A sends nothing but its REA and ACRs: the credit is small
  sim.at(1000, () => sim.renumber("A", a1, a2));
  sim.runUntil(1600);
  const credited = events(b, "address-credited").find((e) => e.type === "address-credited" && sameLocator(e.locator, a2));
  const verified = events(b, "address-verified").find((e) => e.type === "address-verified" && sameLocator(e.locator, a2));
  assert.ok(credited && verified, "credited on the REA, verified by the ACR");
  assert.equal(credited.t, 1010);
  assert.equal(verified.t, 1030);
  const w = bytesBetween(sim.trace, "B", a2, credited.t, verified.t);
  const sb = b.session(a);
  // Trace (wire bytes): everything sent to a2 before its ACR (AC + data) ≤ 3 × bytes from a2.
  assert.ok(w.received > 0 && w.sent <= 3 * w.received, `sent ${w.sent} > 3 × ${w.received}`);
  // The limit binds: 20 datagrams were due in those 20 ms, only what the REA's bytes paid for went.
  const rea = sim.trace.find((e) => e.kind === "delivered" && e.node === "B" && sameLocator(e.from, a2) && isHip(e.data) && typeOf(e.data!) === 6)!;
  const ac = sim.trace.find((e) => e.kind === "sent" && e.node === "B" && sameLocator(e.to, a2) && isHip(e.data))!;
  assert.equal(w.data, Math.floor((3 * rea.bytes - ac.bytes) / 128), "data datagrams = (3 × REA − AC) / charged size");
  assert.equal(sb.counters.creditDatagrams, w.data);
  assert.ok(w.data >= 1 && w.data < 20);
  // The first of them arrives 1 RTT after the move; after the ACR normal rules apply (no credit).
  const first = a.delivered.find((d) => d.t >= 1000 && d.to && sameLocator(d.to, a2))!;
  assert.equal(first.t, 1020);
  assert.equal(sb.credit.has(a2), false);
  assert.deepEqual(sb.path?.to, a2);
});

test("credit never applies to addresses that were only listed: data goes to the REA's source only", () => {
  const a1 = L("10.0.0.1");
  const a2 = L("10.9.0.1");
  const a3 = L("10.33.0.1"); // listed by A, never answers (nobody has it)
  const { sim, a, b } = pair(32, a1, L("10.0.0.2"), { ...CREDIT, budget: { maxProbes: 3, maxBytes: 300, windowMs: 60_000 } });
  b.startFlow(a, 100, 2000, 1);
  a.startFlow(b, 100, 2000, 1);
  sim.at(1000, () => {
    a.stack.local!.addInterface(3, 0); // lower preference: A keeps sending from a2
    a.stack.local!.addAddress(3, a3, sim.now, { preferred: true });
    sim.renumber("A", a1, a2);
  });
  sim.runUntil(2100);
  const credited = events(b, "address-credited").map((e) => (e.type === "address-credited" ? locatorKey(e.locator) : ""));
  assert.deepEqual(credited, [locatorKey(a2)]);
  const toA3 = sim.trace.filter((e) => e.kind === "sent" && e.node === "B" && sameLocator(e.to, a3));
  assert.equal(toA3.filter((e) => !isHip(e.data)).length, 0, "no data to the listed-only address");
  assert.ok(toA3.length >= 1 && toA3.length <= 3, `AC probes within the budget: ${toA3.length}`);
  assert.ok(a.delivered.some((d) => d.t < 1030 && d.to && sameLocator(d.to, a2)), "data to the REA's source before its ACR");
});

test("spoofed-source REA replay earns no credit: an old REA re-sent from the address it listed is rejected", () => {
  const a1 = L("10.0.0.1");
  const a2 = L("10.9.0.1");
  const a3 = L("10.8.0.1");
  const { sim, a, b } = pair(33, a1, L("10.0.0.2"), CREDIT);
  b.startFlow(a, 100, 2000, 1);
  sim.at(1000, () => sim.renumber("A", a1, a2));
  sim.at(1300, () => sim.renumber("A", a2, a3));
  sim.runUntil(1500);
  // The REA A sent from a2 (listing a2). An attacker who now holds a2 replays it from there.
  const old = sim.trace.find((e) => e.kind === "sent" && e.node === "A" && sameLocator(e.from, a2) && isHip(e.data) && typeOf(e.data!) === 6)!;
  assert.ok(old);
  const m = new Sink();
  sim.addNode("M", m, [a2]);
  const sb = b.session(a);
  const creditedBefore = events(b, "address-credited").length;
  sim.at(1500, () => sim.inject(a2, L("10.0.0.2"), old.data!));
  sim.runUntil(2100);
  assert.equal(sb.counters.rejected["replayed-rea"], 1);
  assert.equal(events(b, "address-credited").length, creditedBefore, "no new credit");
  assert.equal(sb.credit.has(a2), false);
  assert.equal(m.data, 0, "no data to the replayed source");
  assert.deepEqual(sb.path?.to, a3);
});

test("a malicious peer spoofing the victim as its REA's source: data there ≤ 3× its own bytes, probes within the budget", () => {
  const b1 = L("10.0.0.2");
  const victim = L("192.0.2.66");
  const budget = { maxProbes: 8, maxBytes: 1500, windowMs: 60_000 };
  const { sim, a, b } = pair(34, L("10.0.0.1"), b1, { ...CREDIT, budget });
  const v = new Sink();
  sim.addNode("V", v, [victim]);
  a.startFlow(b, 100, 3000, 1); // the stream the attacker wants to redirect
  let injected = 0;
  sim.at(1000, () => {
    // B signs an REA that drops its own address and names the victim, and sends it with the
    // victim's address as source (HMAC and signature are valid: B is a real peer).
    const assoc = b.stack.host.association(a.hit)!;
    const ctx = mobilityContext({ ...codecKeys(assoc, () => ({ inbound: assoc.spiIn, outbound: assoc.spiOut })), checksum: true });
    const last = events(b, "rea-sent").at(-1);
    const reaId = ((last?.type === "rea-sent" ? last.reaId : 0) + 1) & 0xffff;
    const spis = { currentSpiReverse: assoc.spiOut, currentSpi: assoc.spiIn, newSpi: assoc.spiIn, keymatIndex: 0, reaId };
    const data = ctx.seal({ type: "REA", infos: [{ interfaceId: 1, ...spis, addresses: [] }, { interfaceId: 9, ...spis, addresses: [{ locator: victim, lifetime: 60, preferred: true }] }] }, victim, L("10.0.0.1"));
    injected += data.length;
    sim.inject(victim, L("10.0.0.1"), data);
  });
  sim.runUntil(3200);
  assert.ok(events(a, "address-credited").length === 1, "A accepted it as authentic and credited the source");
  assert.ok(v.data > 0, "some data reached the victim (the residual, bounded risk)");
  // Data (RFC 9000 §8.1 limit; the first AC was charged to the same credit) and AC probes (the
  // probe budget that binds every listed address, §8).
  const sa = a.session(b);
  const firstAc = sim.trace.find((e) => e.kind === "sent" && sameLocator(e.to, victim) && isHip(e.data))!;
  assert.ok(v.dataBytes + firstAc.bytes <= 3 * injected, `victim got ${v.dataBytes} data bytes > 3 × ${injected} the attacker sent`);
  assert.equal(v.bytes - v.dataBytes, sa.counters.bytesToUnverified);
  assert.ok(sa.counters.bytesToUnverified <= budget.maxBytes && v.packets - v.data <= budget.maxProbes);
  assert.equal(a.session(b).credit.has(victim), false, "credit ended when the AC went unanswered");
});
