// Hostile inner packets (src/runtime/inner.ts, docs/PROTOCOL.md §6.1): an authenticated peer can
// still send anything inside ESP. Echo replies are bounded (one per request, the request's size,
// token bucket), outstanding pings are bounded, malformed ICMPv6 never throws and is counted.
import assert from "node:assert/strict";
import { test } from "node:test";
import { SeededRng } from "../../src/core/rng.ts";
import { InnerProtocols } from "../../src/runtime/inner.ts";
import { emitIcmpv6, ICMPV6_ECHO_REPLY, ICMPV6_ECHO_REQUEST, IPPROTO_ICMPV6 } from "../../src/wire/icmpv6.ts";

const hitA = new Uint8Array(16).fill(1);
const hitB = new Uint8Array(16).fill(2);

function counted(): { counts: Record<string, number>; count: (n: string) => void } {
  const counts: Record<string, number> = {};
  const count = (n: string) => {
    counts[n] = (counts[n] ?? 0) + 1;
  };
  return { counts, count };
}

test("echo replies are rate-limited (token bucket) and outstanding pings are bounded", () => {
  const { counts, count } = counted();
  const p = new InnerProtocols({ echoRate: 3, pingLimit: 2, pingTimeoutMs: 1000 }, count);
  const req = (seq: number) => emitIcmpv6(hitA, hitB, { type: ICMPV6_ECHO_REQUEST, code: 0, identifier: 9, sequence: seq, data: new Uint8Array(4) });
  const answered = (t: number, seq: number) => p.receive(t, hitB, hitA, IPPROTO_ICMPV6, req(seq)).reply !== undefined;
  // Burst 3 at t=0, then one token every 333 ms.
  assert.deepEqual([1, 2, 3, 4].map((s) => answered(0, s)), [true, true, true, false]);
  assert.equal(answered(200, 5), false);
  assert.equal(answered(400, 6), true);
  assert.equal(counts["icmpv6.echo.not-answered.rate-limited"], 2);
  // Each reply is exactly as large as its request.
  assert.equal(p.receive(10_000, hitB, hitA, IPPROTO_ICMPV6, req(7)).reply?.length, req(7).length);
  // Pings: at most 2 kept; the oldest goes first; they expire after pingTimeoutMs.
  for (const s of [1, 2, 3]) p.ping(0, hitA, hitB, 5, s, new Uint8Array(0));
  assert.equal(p.outstanding, 2);
  assert.equal(counts["icmpv6.ping.evicted"], 1);
  p.ping(2000, hitA, hitB, 5, 4, new Uint8Array(0));
  assert.equal(p.outstanding, 1);
  assert.equal(counts["icmpv6.ping.expired"], 2);
});

test("fuzz: 5000 random ICMPv6 messages (half with a valid checksum): no throw, replies only to echo requests, never larger", () => {
  const rng = new SeededRng(4443);
  const { counts, count } = counted();
  const p = new InnerProtocols({ echoRate: 1e9 }, count);
  let replies = 0;
  let requests = 0;
  for (let i = 0; i < 5000; i++) {
    const n = rng.nextU32() % 80;
    let m = rng.fill(new Uint8Array(n));
    if (i % 2 === 0 && n >= 4) {
      // A structurally random message with a correct checksum; echo types often.
      const type = i % 4 === 0 ? ICMPV6_ECHO_REQUEST : m[0];
      const code = m[1] % 2;
      const echo = type === ICMPV6_ECHO_REQUEST || type === ICMPV6_ECHO_REPLY;
      if (!echo) m = emitIcmpv6(hitA, hitB, { type, code, body: m.subarray(4) });
      else if (n >= 8) m = emitIcmpv6(hitA, hitB, { type, code, identifier: m[4], sequence: m[6], data: m.subarray(8) });
    }
    const o = p.receive(i, hitB, hitA, IPPROTO_ICMPV6, m);
    if (o.reply) {
      replies++;
      assert.equal(o.reply.length, m.length, "reply the size of the request");
      assert.equal(m[0], ICMPV6_ECHO_REQUEST);
      assert.equal(m[1], 0);
    }
    if (m.length >= 8 && m[0] === ICMPV6_ECHO_REQUEST && m[1] === 0 && !o.drop) requests++;
    assert.ok(!o.drop || !o.reply, "a dropped packet is never answered");
  }
  assert.equal(replies, requests);
  assert.ok(replies > 500, `replies ${replies}`);
  assert.ok((counts["icmpv6.echo.replied"] ?? 0) === replies);
});
