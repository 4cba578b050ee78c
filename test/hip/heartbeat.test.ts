// Heartbeat UPDATEs (HipHostConfig.heartbeatMs, src/hip/update.ts; used when mobility is off):
// ESP we sent that the peer leaves unanswered for heartbeatMs → UPDATE(SEQ) alone, which the peer
// ACKs (RFC 7401 §6.12.1); never ACKed → the association is given up (closed: unreachable),
// without a CLOSE; a restarted peer answers it with a rejoin.
import assert from "node:assert/strict";
import { test } from "node:test";
import { acknowledges, CUTEHIP_PROFILE, RFC_PROFILE } from "../../src/hip/profile.ts";
import { UpdateExtension } from "../../src/hip/update.ts";
import { PacketType } from "../../src/wire/constants.ts";
import { established, eventsOf, hipType, type Net, type Node, type Packet } from "./net.ts";

function watched(seed: number) {
  const { net, a, b, ua } = established(seed);
  const seen: Packet[] = [];
  net.filter = (p) => {
    seen.push(p);
    return !(p.src === b && down) && !(p.to.ip === b.loc.ip && down);
  };
  let down = false;
  const setDown = (v: boolean) => {
    down = v;
  };
  return { net, a, b, ua, seen, setDown };
}

/** A's data plane sent one ESP packet to B at the current time. */
function espOut(net: Net, a: Node, b: Node): void {
  a.host.noteEspSent(net.now, a.host.association(b.host.hit)!);
}

test("heartbeat: ESP unanswered for heartbeatMs → UPDATE(SEQ), the peer ACKs, nothing else happens", () => {
  const { net, a, b, ua, seen } = watched(61);
  const t0 = net.now;
  espOut(net, a, b);
  net.run(t0 + 4_999);
  assert.equal(ua.counters["heartbeat.sent"], undefined, "not before heartbeatMs");
  net.run(t0 + 6_000);
  assert.equal(ua.counters["heartbeat.sent"], 1);
  assert.equal(ua.counters["heartbeat.answered"], 1);
  const hb = seen.filter((p) => p.src === a && hipType(p.data) === PacketType.UPDATE);
  assert.equal(hb.length, 1);
  assert.equal(hb[0].at - net.latency, t0 + 5_000, "sent heartbeatMs after the unanswered ESP");
  assert.equal(seen.filter((p) => p.src === b && hipType(p.data) === PacketType.UPDATE).length, 1, "B's ACK");
  // Answered: no further heartbeat until A sends again unanswered.
  net.run(t0 + 20_000);
  assert.equal(ua.counters["heartbeat.sent"], 1);
  assert.equal(a.host.association(b.host.hit)?.state, "ESTABLISHED");
});

test("heartbeat: ESP from the peer answers for it; no UPDATE", () => {
  const { net, a, b, ua } = watched(62);
  const t0 = net.now;
  espOut(net, a, b);
  net.run(t0 + 3_000);
  a.host.noteEspReceived(net.now, a.host.association(b.host.hit)!.spiIn, b.loc);
  net.run(t0 + 20_000);
  assert.equal(ua.counters["heartbeat.sent"], undefined);
  // Sent again later, unanswered: the clock starts at that packet.
  const t1 = net.now;
  espOut(net, a, b);
  net.run(t1 + 5_001);
  assert.equal(ua.counters["heartbeat.sent"], 1);
});

test("heartbeat: a vanished peer → retransmitted, then the association is given up without a CLOSE", () => {
  const { net, a, b, ua, seen, setDown } = watched(63);
  setDown(true);
  const t0 = net.now;
  espOut(net, a, b);
  net.run(t0 + 60_000);
  const hb = seen.filter((p) => p.src === a && hipType(p.data) === PacketType.UPDATE);
  assert.equal(hb.length, 5, "first + 4 retransmissions (retransmit.maxTries 5)");
  assert.equal(ua.counters["heartbeat.timeout"], 1);
  const closed = eventsOf(a, "closed");
  assert.equal(closed.length, 1);
  assert.equal(closed[0].reason, "unreachable");
  assert.equal(a.host.association(b.host.hit), undefined);
  assert.equal(eventsOf(a, "sa-remove").length, 1, "SAs removed");
  assert.equal(seen.filter((p) => p.src === a && hipType(p.data) === PacketType.CLOSE).length, 0, "no CLOSE");
  // 5 s + 1 + 2 + 4 + 8 s of retransmissions, then the last one's 16 s (capped at maxMs 8 s).
  assert.ok(a.host.counters["closed.unreachable"] === 1);
  // Reported once, when the first retransmission went out unanswered (1 s after the heartbeat).
  const r = eventsOf(a, "reachability");
  assert.equal(r.length, 1);
  assert.equal(r[0].reachable, false);
  assert.ok(r[0].silentMs >= 6_000 - 1, `silent ${r[0].silentMs} ms`);
});

test("heartbeat: a peer back before the last retransmission → reachability false, then true, association kept", () => {
  const { net, a, b, ua, setDown } = watched(66);
  setDown(true);
  espOut(net, a, b);
  net.run(net.now + 7_500); // heartbeat at +5 s, first retransmission at +6 s
  setDown(false);
  net.run(net.now + 10_000); // the retransmission at +8 s is ACKed
  const r = eventsOf(a, "reachability");
  assert.deepEqual(r.map((x) => x.reachable), [false, true]);
  assert.ok(r[1].silentMs >= 8_000 - 1, `silent ${r[1].silentMs} ms`);
  assert.equal(ua.counters["heartbeat.answered"], 1);
  assert.equal(a.host.association(b.host.hit)?.state, "ESTABLISHED");
});

test("heartbeat: a restarted peer answers the heartbeat with a rejoin; both ESTABLISHED again", () => {
  const { net, a, b, ua } = watched(64);
  net.nodes.splice(net.nodes.indexOf(b), 1);
  const b2 = net.add(999, b.loc.ip, {}, b.host.identity);
  new UpdateExtension(b2.host);
  const t0 = net.now;
  espOut(net, a, b);
  net.run(t0 + 8_000);
  assert.equal(ua.counters["heartbeat.sent"], 1);
  assert.equal(b2.host.counters["rejoin.started"], 1);
  assert.equal(b2.host.association(a.host.hit)?.state, "ESTABLISHED");
  assert.equal(eventsOf(a, "sa-install").length, 2, "A answered B2's exchange (new SAs)");
  assert.equal(a.host.association(b.host.hit)?.state, "R2-SENT", "until B2's first ESP");
  assert.equal(a.host.counters["closed.unreachable"], undefined, "not given up");
  // A sends on, B2 (a server) sends nothing: A's heartbeat in R2-SENT is ACKed, and an
  // authenticated UPDATE moves R2-SENT to ESTABLISHED (RFC 7401 §4.4.4).
  espOut(net, a, b);
  net.run(net.now + 6_000);
  assert.equal(ua.counters["heartbeat.answered"], 1);
  assert.equal(a.host.association(b.host.hit)?.state, "ESTABLISHED");
});

test("heartbeatMs 0: off", () => {
  const { net, a, b, ua } = established(65, { heartbeatMs: 0 });
  net.filter = () => false;
  espOut(net, a, b);
  net.run(net.now + 120_000);
  assert.equal(ua.counters["heartbeat.sent"], undefined);
  assert.equal(a.host.association(b.host.hit)?.state, "ESTABLISHED");
});

test("ACK matching: cutehip's ACK keeps only the Update ID's low byte (its AckParameter); only its profile accepts that", () => {
  // cutehip cb397ab7 packets/HIP.py AckParameter.set_ids: (id << 24) & 0xFF … → only id & 0xff survives.
  const cutehipAck = (id: number) => [id & 0xff];
  assert.equal(acknowledges(cutehipAck(300), 300, CUTEHIP_PROFILE), true, "heartbeat #300 answered by cutehip");
  assert.equal(acknowledges(cutehipAck(300), 300, RFC_PROFILE), false);
  assert.equal(acknowledges(cutehipAck(300), 300, undefined), false);
  assert.equal(acknowledges([300], 300, undefined), true);
  assert.equal(acknowledges([44], 301, CUTEHIP_PROFILE), false, "another low byte is not ours");
});

test("heartbeat: an association closed while its ESP was unanswered is no longer watched", () => {
  const { net, a, b, ua } = watched(69);
  espOut(net, a, b);
  assert.equal(ua.watched, 1);
  a.host.close(net.now, b.host.hit);
  net.run(net.now + 200); // CLOSE, CLOSE_ACK: closed
  assert.notEqual(a.host.association(b.host.hit)?.state, "ESTABLISHED");
  assert.equal(ua.watched, 0, "forgotten at the close, not at its deadline");
  net.run(net.now + 10_000);
  assert.equal(ua.counters["heartbeat.sent"], undefined);
});
