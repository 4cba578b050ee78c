// Inner protocols of BEET ESP (src/runtime/inner.ts) on two HostStacks in the simulator (sans-I/O,
// deterministic time): ping with RTT, echo answering, raw inner packets, drops. Bounds and
// fuzzing of hostile inner packets: test/security/inner-protocols.test.ts.
import assert from "node:assert/strict";
import { test } from "node:test";
import type { Locator } from "../../src/core/types.ts";
import { HostIdentity } from "../../src/hip/identity.ts";
import type { InnerOptions } from "../../src/runtime/inner.ts";
import { HostStack, type StackEvent } from "../../src/runtime/stack.ts";
import { Simulator } from "../../src/sim/simulator.ts";
import { beetChecksum, emitIcmpv6, ICMPV6_ECHO_REQUEST, IPPROTO_ICMPV6, parseIcmpv6 } from "../../src/wire/icmpv6.ts";
import "../../src/wasm/loader.ts"; // registers the embedded WASM module as the default (src/wasm/instantiate.ts)

const LOC_A: Locator = { ip: "10.0.0.1", port: 10500 };
const LOC_B: Locator = { ip: "10.0.0.2", port: 10500 };
const enc = new TextEncoder();

function pair(seed: number, innerB: InnerOptions = {}) {
  const sim = new Simulator({ seed, link: { latency: 25 }, trace: "off" });
  const mk = (inner: InnerOptions) => {
    const rng = sim.forkRng();
    const events: StackEvent[] = [];
    const stack = new HostStack({ host: { identity: HostIdentity.generate(rng), rng, puzzleK: 1 }, inner, onEvent: (e) => events.push(e) });
    return { stack, events };
  };
  const a = mk({});
  const b = mk(innerB);
  sim.addNode("a", a.stack, [LOC_A]);
  sim.addNode("b", b.stack, [LOC_B]);
  sim.at(0, () => a.stack.connect(sim.now, LOC_B, b.stack.hit, LOC_A));
  const r = sim.runUntilTrue(() => a.events.some((e) => e.type === "established"), 10_000);
  assert.equal(r.reason, "done");
  return { sim, a, b };
}

const of = <T extends StackEvent["type"]>(events: StackEvent[], type: T) => events.filter((e): e is Extract<StackEvent, { type: T }> => e.type === type);

test("ping over the association: the peer answers, the reply carries the data and the RTT", () => {
  const { sim, a, b } = pair(1);
  sim.at(sim.now + 1, () => assert.equal(a.stack.ping(b.stack.hit, 1, enc.encode("ping data"), sim.now), "sent"));
  sim.runUntil(sim.now + 500);
  const [rep] = of(a.events, "echo-reply");
  assert.ok(rep, JSON.stringify(a.stack.counters));
  assert.equal(rep.sequence, 1);
  assert.equal(rep.identifier, a.stack.pingIdentifier);
  assert.deepEqual(rep.data, enc.encode("ping data"));
  assert.equal(rep.rttMs, 50, "two 25 ms hops");
  // b saw the request as an inner packet (type 128), answered it once.
  const [req] = of(b.events, "inner");
  assert.equal(req.nextHeader, IPPROTO_ICMPV6);
  assert.deepEqual(req.icmpv6, { type: 128, code: 0, identifier: a.stack.pingIdentifier, sequence: 1 });
  assert.equal(req.echo, "answered");
  assert.equal(b.stack.counters["icmpv6.echo.replied"], 1);
  assert.equal(a.stack.counters["icmpv6.ping.matched"], 1);
  // The reply is a checked ICMPv6 message between the HITs, the same size as the request.
  const inA = of(a.events, "inner").find((e) => e.icmpv6?.type === 129);
  assert.ok(inA);
  assert.equal(inA.payload.length, req.payload.length);
  assert.ok(parseIcmpv6(b.stack.hit, a.stack.hit, inA.payload).ok);
  // And the other way round.
  sim.at(sim.now + 1, () => assert.equal(b.stack.ping(a.stack.hit, 7, new Uint8Array(0), sim.now), "sent"));
  sim.runUntil(sim.now + 500);
  assert.equal(of(b.events, "echo-reply")[0]?.sequence, 7);
  assert.equal(b.stack.inner.outstanding, 0);
});

test("a raw inner TCP segment reaches the app as the same bytes; UDP still arrives as a message", () => {
  const { sim, a, b } = pair(2);
  const syn = tcpSyn(a.stack.hit, b.stack.hit);
  sim.at(sim.now + 1, () => {
    assert.equal(a.stack.sendInner(b.stack.hit, 6, syn, sim.now), "sent");
    assert.equal(a.stack.send(b.stack.hit, 1, 2, enc.encode("udp"), sim.now), "sent");
  });
  sim.runUntil(sim.now + 200);
  const [tcp] = of(b.events, "inner");
  assert.equal(tcp.nextHeader, 6);
  assert.deepEqual(tcp.payload, syn);
  assert.equal(beetChecksum(a.stack.hit, b.stack.hit, 6, tcp.payload, 16), (syn[16] << 8) | syn[17]);
  const [m] = of(b.events, "message");
  assert.equal(new TextDecoder().decode(m.data), "udp");
  assert.equal(b.stack.counters["inner.rx.6"], 1);
});

test("hostile or unwanted inner packets are dropped and counted; no reply goes out", () => {
  const { sim, a, b } = pair(3, { deliver: [IPPROTO_ICMPV6] });
  const good = emitIcmpv6(a.stack.hit, b.stack.hit, { type: ICMPV6_ECHO_REQUEST, code: 0, identifier: 1, sequence: 1, data: enc.encode("x") });
  const bad = good.slice();
  bad[8] ^= 1; // checksum no longer verifies
  const wrongHits = emitIcmpv6(a.stack.hit, a.stack.hit, { type: ICMPV6_ECHO_REQUEST, code: 0, identifier: 1, sequence: 2, data: enc.encode("x") });
  const code1 = emitIcmpv6(a.stack.hit, b.stack.hit, { type: ICMPV6_ECHO_REQUEST, code: 1, identifier: 1, sequence: 3, data: enc.encode("x") });
  sim.at(sim.now + 1, () => {
    for (const m of [bad, wrongHits, good.subarray(0, 3)]) a.stack.sendInner(b.stack.hit, IPPROTO_ICMPV6, m, sim.now);
    a.stack.sendInner(b.stack.hit, 6, tcpSyn(a.stack.hit, b.stack.hit), sim.now); // not in `deliver`
    a.stack.sendInner(b.stack.hit, 59, enc.encode("dummy"), sim.now); // RFC 4303 §2.6
    a.stack.sendInner(b.stack.hit, IPPROTO_ICMPV6, code1, sim.now);
  });
  sim.runUntil(sim.now + 200);
  const c = b.stack.counters;
  assert.equal(c["esp.drop.icmpv6-checksum"], 2);
  assert.equal(c["esp.drop.icmpv6-truncated"], 1);
  assert.equal(c["esp.drop.next-header"], 1);
  assert.equal(c["esp.rx.dummy"], 1);
  assert.equal(c["icmpv6.echo.not-answered.code"], 1);
  assert.equal(c["icmpv6.echo.replied"], undefined);
  assert.equal(of(b.events, "inner").length, 1, "only the code-1 request is delivered");
  assert.equal(of(a.events, "inner").length, 0, "nothing came back");
});

test("echo answering off: requests are delivered, not answered", () => {
  const { sim, a, b } = pair(4, { echoReply: false });
  sim.at(sim.now + 1, () => a.stack.ping(b.stack.hit, 1, new Uint8Array(8), sim.now));
  sim.runUntil(sim.now + 500);
  assert.equal(of(b.events, "inner")[0]?.echo, "off");
  assert.equal(of(a.events, "echo-reply").length, 0);
  assert.equal(b.stack.counters["icmpv6.echo.not-answered.off"], 1);
});

/** A TCP SYN (RFC 9293 §3.1) from port 40000 to 22, checksum over the HIT pseudo-header. */
function tcpSyn(src: Uint8Array, dst: Uint8Array): Uint8Array {
  const s = new Uint8Array(20);
  const v = new DataView(s.buffer);
  v.setUint16(0, 40000);
  v.setUint16(2, 22);
  v.setUint32(4, 0x01020304);
  s[12] = 5 << 4; // data offset 5 words
  s[13] = 0x02; // SYN
  v.setUint16(14, 65535);
  v.setUint16(16, beetChecksum(src, dst, 6, s, 16));
  return s;
}
