// Local access control on incoming associations (HipHostConfig.accept): consulted only for an
// authenticated I2; a refusal answers NOTIFY BLOCKED_BY_POLICY (RFC 7401 §5.2.19) and is counted.
import assert from "node:assert/strict";
import { test } from "node:test";
import { hitKey } from "../../src/hip/hit.ts";
import { eventsOf, Net } from "./net.ts";

test("accept() refuses a HIT: NOTIFY BLOCKED_BY_POLICY, no association; others still accepted", () => {
  const net = new Net();
  const seen: string[] = [];
  const blocked = new Set<string>();
  const b = net.add(2, "192.0.2.2", {
    accept: (hit, peer, from) => {
      assert.equal(hitKey(peer.hit), hitKey(hit), "the peer identity matches the HIT it claims");
      seen.push(`${hitKey(hit)}@${from.ip}`);
      return !blocked.has(hitKey(hit));
    },
  });
  const retransmit = { initialMs: 100, maxTries: 3, maxMs: 200 };
  const a = net.add(1, "192.0.2.1", { retransmit });
  const c = net.add(3, "192.0.2.3", { retransmit });
  blocked.add(hitKey(a.host.hit));

  a.host.connect(0, b.loc, b.host.hit, a.loc);
  c.host.connect(0, b.loc, b.host.hit, c.loc);
  net.run(5000);

  assert.equal(b.host.association(a.host.hit), undefined, "A refused: no association at B");
  assert.notEqual(a.host.association(b.host.hit)?.state, "ESTABLISHED");
  assert.ok((b.host.counters["drop.blocked_by_policy"] ?? 0) >= 1);
  const n = eventsOf(a, "notify");
  assert.ok(n.length >= 1, "A hears why");
  assert.equal(n[0].notifyType, 42);
  // RFC 7401 §4.4.2: the Responder stays in R2-SENT until the first ESP (or timer) arrives.
  assert.ok(["R2-SENT", "ESTABLISHED"].includes(b.host.association(c.host.hit)?.state ?? ""), "C accepted");
  assert.equal(c.host.association(b.host.hit)?.state, "ESTABLISHED");
  assert.ok(seen.includes(`${hitKey(c.host.hit)}@192.0.2.3`), "accept saw C with its locator");
});
