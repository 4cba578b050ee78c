// Rejoin after a restart (HipHostConfig.rejoin, docs/PROTOCOL.md §7.11): B loses its state, A
// still has the association and sends an UPDATE; B answers with an I1 to A's HIT, and A replaces
// its association on B's I2 (RFC 7401 §4.4.2). Unauthenticated triggers cost one I1 each,
// smaller than the packet, never retransmitted, rate-limited, without an event.
import assert from "node:assert/strict";
import { test } from "node:test";
import type { Locator } from "../../src/core/types.ts";
import { UpdateExtension } from "../../src/hip/update.ts";
import { classifyDatagram } from "../../src/wire/framing.ts";
import { established, eventsOf, hipType, Net, type Node, type Packet } from "./net.ts";

const UPDATE = 16;
const I1 = 1;

/** B restarts: the same identity at the same locator, no state. */
function restart(net: Net, b: Node, cfg: Parameters<Net["add"]>[2] = {}): Node {
  net.nodes.splice(net.nodes.indexOf(b), 1);
  const b2 = net.add(999, b.loc.ip, cfg, b.host.identity);
  new UpdateExtension(b2.host);
  return b2;
}

/** Every datagram sent from now on, by sender. */
function record(net: Net): Packet[] {
  const seen: Packet[] = [];
  net.filter = (p) => {
    seen.push(p);
    return true;
  };
  return seen;
}

test("rejoin: a restarted host answers the peer's UPDATE with an I1; the peer replaces its association and both are ESTABLISHED again", () => {
  const { net, a, b, ua } = established(31);
  const oldIn = a.host.association(b.host.hit)!.spiIn;
  const b2 = restart(net, b);
  const seen = record(net);
  assert.ok(ua.rekey(net.now, b.host.hit), "A sends an UPDATE to B, which no longer knows A");
  net.run(net.now + 2000);
  assert.equal(b2.host.counters["rejoin.started"], 1);
  const nb = b2.host.association(a.host.hit);
  assert.ok(nb?.initiator, "B2 ran the base exchange as the Initiator");
  const sb = eventsOf(b2, "sa-install")[0];
  assert.ok(sb, "B2 installed SAs");
  // A replaced its association (new SAs toward B2) and the two pairs match.
  const sa = eventsOf(a, "sa-install").at(-1)!;
  assert.equal(eventsOf(a, "sa-install").length, 2);
  assert.equal(sa.outbound.spi, sb.inbound.spi);
  assert.equal(sb.outbound.spi, sa.inbound.spi);
  assert.deepEqual(sa.outbound.encKey, sb.inbound.encKey);
  assert.notEqual(a.host.association(b.host.hit)!.spiIn, oldIn);
  a.host.noteEspReceived(net.now, sa.inbound.spi, b2.loc); // B2's first ESP: A's R2-SENT → ESTABLISHED
  assert.equal(a.host.association(b.host.hit)?.state, "ESTABLISHED");
  assert.equal(nb.state, "ESTABLISHED");
  // The trigger (an UPDATE, signed) was larger than the one I1 it caused.
  const update = seen.find((p) => p.src === a && hipType(p.data) === UPDATE)!;
  const i1s = seen.filter((p) => p.src === b2 && hipType(p.data) === I1);
  assert.equal(i1s.length, 1);
  assert.ok(i1s[0].data.length < update.data.length, `I1 ${i1s[0].data.length} B < UPDATE ${update.data.length} B`);
});

test("rejoin: UPDATEs replayed from spoofed sources cost one small I1 each, never retransmitted, rate-limited, no event; rejoin: false sends nothing; a refused HIT gets no association", () => {
  const { net, a, b, ua } = established(41);
  // Capture one real UPDATE from A to B (signed, addressed to B's HIT).
  const seen = record(net);
  ua.rekey(net.now, b.host.hit);
  net.run(net.now + 100); // the old B takes it (the rekey completes)
  const upd = seen.find((p) => p.src === a && hipType(p.data) === UPDATE)!;
  const c = classifyDatagram(upd.data);
  assert.ok(c.ok && c.value.kind === "hip");
  const hip = c.value.packet.slice();

  const burst = 4; // limits.rejoinPerPrefix.burst
  for (const cfg of [{}, { rejoin: false }]) {
    const b2 = restart(net, net.nodes.find((n) => n.loc.ip === b.loc.ip)!, cfg);
    const out = record(net);
    const victim: Locator = { ip: "198.51.100.7", port: 10500 }; // nobody there: no R1 ever comes
    for (let i = 0; i < 200; i++) b2.host.handleDatagram(net.now, hip, victim, b2.loc);
    net.run(net.now + 60_000);
    const i1s = out.filter((p) => p.src === b2 && hipType(p.data) === I1);
    if ("rejoin" in cfg) {
      assert.equal(i1s.length, 0, "rejoin off: nothing sent");
      assert.equal(b2.host.counters["rejoin.started"], undefined);
      continue;
    }
    // The first started an exchange; the others found it in I1-SENT (an association exists) or were rate-limited.
    assert.ok(i1s.length >= 1 && i1s.length <= burst, `${i1s.length} I1s`);
    assert.ok(i1s.every((p) => p.data.length < hip.length + 8 && p.to.ip === victim.ip));
    assert.equal(b2.host.counters["rejoin.timeout"], b2.host.counters["rejoin.started"], "each attempt ended at its first retransmission time");
    assert.equal(b2.host.counters.retransmit, undefined, "no I1 retransmitted");
    assert.deepEqual(eventsOf(b2, "failed"), [], "no event for what the application never asked for");
    assert.equal(b2.host.stateSizes().associations, 0);
    // Only what a peer with an association sends triggers it (UPDATE, REA, AC, ACR): not, e.g., an unknown type.
    const odd = hip.slice();
    odd[2] = 99;
    const before = b2.host.counters["rejoin.started"];
    b2.host.handleDatagram(net.now, odd, { ip: "198.51.100.9", port: 10500 }, b2.loc);
    assert.equal(b2.host.counters["rejoin.started"], before);
  }

  // --allow (accept) refusing A: B2's rejoin stops at the R1, no association, no event.
  const b3 = restart(net, net.nodes.find((n) => n.loc.ip === b.loc.ip)!, { accept: () => false });
  ua.rekey(net.now, b.host.hit);
  net.run(net.now + 5000);
  assert.equal(b3.host.counters["rejoin.started"] >= 1, true);
  assert.equal(b3.host.counters["rejoin.blocked_by_policy"] >= 1, true);
  assert.equal(b3.host.association(a.host.hit), undefined);
  assert.deepEqual(eventsOf(b3, "established"), []);
});

test("rejoin: the peer's puzzle is capped (limits.rejoinMaxPuzzleK): an R1 asking more ends the attempt before any I2; the cap can be raised", () => {
  for (const cap of [undefined, 12]) {
    const net = new Net();
    const a = net.add(51, "192.0.2.1", { puzzleK: 12 });
    const b = net.add(52, "192.0.2.2");
    const ua = new UpdateExtension(a.host);
    new UpdateExtension(b.host);
    a.host.connect(net.now, b.loc, b.host.hit, a.loc);
    net.run(5000);
    b.host.noteEspReceived(net.now, eventsOf(b, "sa-install")[0].inbound.spi, a.loc);
    net.run(net.now + 1);
    const b2 = restart(net, b, cap === undefined ? {} : { limits: { rejoinMaxPuzzleK: cap } });
    const seen = record(net);
    ua.rekey(net.now, b.host.hit);
    net.run(net.now + 10_000);
    const i2s = seen.filter((p) => p.src === b2 && hipType(p.data) === 3);
    if (cap === undefined) {
      // Each of A's UPDATE retransmissions tried again (within the rejoin buckets); each stopped at the R1.
      const c = b2.host.counters;
      assert.ok(c["rejoin.puzzle_too_hard"] >= 1 && c["rejoin.puzzle_too_hard"] === c["rejoin.started"], JSON.stringify(c));
      assert.equal(i2s.length, 0, "no puzzle solved, no I2");
      assert.deepEqual(eventsOf(b2, "failed"), []);
    } else assert.equal(b2.host.association(a.host.hit)?.state, "ESTABLISHED");
  }
});
