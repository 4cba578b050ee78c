// Location privacy by construction (src/runtime/privacy.ts, docs/PROTOCOL.md §9.1), sans-I/O on
// the FA test network: private host A asks for a lease and, before the FAA, is told to connect
// to B. Nothing leaves A's own locator except to the FA; the base exchange waits for the lease
// and runs through the FA; B only ever sees the leased locator; an I1 that C sends straight to
// A's real address is answered through the FA, never from the real address.
import assert from "node:assert/strict";
import { test } from "node:test";
import { SeededRng } from "../../src/core/rng.ts";
import { locatorKey } from "../../src/core/types.ts";
import { HostStack } from "../../src/runtime/stack.ts";
import { identity, makeFa, Net } from "../fa/harness.ts";
import "../../src/wasm/loader.ts"; // registers the embedded WASM module as the default (src/wasm/instantiate.ts)

const FA4 = { ip: "192.0.2.1", port: 10500 };
const A = { ip: "198.51.100.10", port: 10500 };
const B = { ip: "203.0.113.20", port: 10500 };

test("privacy: the I1 waits for the FAA and leaves through the FA; B never sees A's address", () => {
  const net = new Net();
  makeFa(net, 1, { control: [FA4], shared4: [FA4], pool6: [] });
  const a = new HostStack({ host: { identity: identity(110), rng: new SeededRng(111), puzzleK: 1 }, mobility: {}, addresses: [A], fa: { fas: [{ locator: FA4 }], addrType: 4, spis: 16, privacy: true } });
  const b = new HostStack({ host: { identity: identity(120), rng: new SeededRng(121), puzzleK: 1 }, mobility: {}, addresses: [B] });
  net.attach(A, a);
  net.attach(B, b);
  // connect before the lease: held (the FAQ is still in flight)
  a.startFa(net.now);
  a.connect(net.now, B, b.hit, A);
  assert.equal(a.fa!.counters.connectsHeld, 1);
  net.advance(2000);
  assert.ok(a.fa!.lease, "leased");
  assert.ok(b.host.association(a.hit)?.state === "ESTABLISHED" || b.host.association(a.hit)?.state === "R2-SENT", `B associated: ${b.host.association(a.hit)?.state}`);
  assert.equal(locatorKey(b.host.association(a.hit)!.peerLocator), locatorKey(FA4), "B knows A at the leased locator");
  const fromA = net.log.filter((p) => locatorKey(p.from) === locatorKey(A));
  assert.ok(fromA.length > 0 && fromA.every((p) => locatorKey(p.to) === locatorKey(FA4)), "A's own locator talks to the FA only");
  assert.ok(net.log.filter((p) => locatorKey(p.to) === locatorKey(B)).every((p) => locatorKey(p.from) === locatorKey(FA4)), "all B gets comes from the FA");
  // C (which somehow knew A's address) sends an I1 straight to it: A answers through the FA.
  const C = { ip: "203.0.113.30", port: 10500 };
  const c = new HostStack({ host: { identity: identity(130), rng: new SeededRng(131), puzzleK: 1 }, mobility: {}, addresses: [C] });
  net.attach(C, c);
  const before = net.log.length;
  c.connect(net.now, A, a.hit, C);
  net.advance(1000);
  const after = net.log.slice(before).filter((p) => locatorKey(p.from) === locatorKey(A));
  assert.ok(after.every((p) => locatorKey(p.to) === locatorKey(FA4)), "answers leave through the FA only");
  assert.ok(a.fa!.counters.privacyDirect >= 1, "counted as a direct arrival");
});
