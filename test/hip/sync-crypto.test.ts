// HipHostConfig.syncCrypto (src/hip/crypto-jobs.ts InlineCrypto): what the core signs and
// verifies outside crypto jobs — CLOSE / CLOSE_ACK, UPDATE, R1 generations, Association.sign
// (mobility REA / AC / ACR) — runs on a synchronous provider (node:crypto here, counted), and a
// peer on @noble verifies it; an asynchronous provider is never called inline (@noble instead).
import assert from "node:assert/strict";
import { test } from "node:test";
import type { CryptoProvider } from "../../src/core/crypto/provider.ts";
import { WebCryptoProvider } from "../../src/core/crypto/webcrypto.ts";
import { SeededRng } from "../../src/core/rng.ts";
import { HostIdentity } from "../../src/hip/identity.ts";
import { UpdateExtension } from "../../src/hip/update.ts";
import { nodeCryptoProvider } from "../../src/runtime/crypto-node.ts";
import { counted } from "../helpers/counted-crypto.ts";
import { eventsOf, Net } from "./net.ts";

function pair(sync: CryptoProvider | undefined) {
  const net = new Net();
  const a = net.add(1, "192.0.2.1", { syncCrypto: sync }, HostIdentity.generate(new SeededRng(11), "P-256"));
  const b = net.add(2, "192.0.2.2", {}, HostIdentity.generate(new SeededRng(12), "P-256")); // @noble
  a.host.connect(net.now, b.loc, b.host.hit, a.loc);
  net.run(1000);
  assert.equal(eventsOf(a, "established").length, 1);
  return { net, a, b };
}

test("syncCrypto node:crypto: CLOSE and CLOSE_ACK signed and verified on it; the @noble peer accepts them", () => {
  const { p, calls } = counted(nodeCryptoProvider());
  const { net, a, b } = pair(p);
  a.host.close(net.now, b.host.hit);
  net.run(net.now + 1000);
  assert.equal(eventsOf(b, "closed").length, 1, "peer verified our CLOSE");
  assert.equal(eventsOf(a, "closed").length, 1, "we verified the CLOSE_ACK");
  assert.equal(b.host.counters["rx.CLOSE"], 1);
  assert.equal(calls.sign, 1, "CLOSE signed on the provider");
  assert.equal(calls.verify >= 1, true, "CLOSE_ACK verified on the provider");
  assert.equal(a.host.counters.drop ?? 0, 0);
  assert.equal(b.host.counters.drop ?? 0, 0);
});

test("syncCrypto: a CLOSE_ACK with a bad signature is still refused (provider says false)", () => {
  const { p } = counted(nodeCryptoProvider());
  const { net, a, b } = pair(p);
  net.tamper = (_p, hip) => {
    // CLOSE_ACK (type 19): flip a bit of the last signature byte (the P-256 HIP_SIGNATURE ends
    // the packet: 2 + 64 bytes of value, then 2 bytes of padding).
    if ((hip[2] & 0x7f) !== 19) return hip;
    const t = hip.slice();
    t[t.length - 3] ^= 1;
    return t;
  };
  a.host.close(net.now, b.host.hit);
  net.run(net.now + 100);
  assert.equal(a.host.counters["drop.bad_signature"], 1);
  assert.equal(eventsOf(a, "closed").length, 0);
});

test("syncCrypto: UPDATE rekey and Association.sign (mobility) run on it", () => {
  const { p, calls } = counted(nodeCryptoProvider());
  const { net, a, b } = pair(p);
  const ua = new UpdateExtension(a.host);
  new UpdateExtension(b.host);
  const sb = eventsOf(b, "sa-install")[0];
  b.host.noteEspReceived(net.now, sb.inbound.spi, a.loc);
  net.run(net.now + 1);
  const before = calls.sign;
  assert.ok(ua.rekey(net.now, b.host.hit));
  net.run(net.now + 1000);
  assert.equal(ua.counters["rekey.done"], 1);
  assert.ok(calls.sign > before, "UPDATE signed on the provider");
  assert.ok(calls.verify > 0, "peer's UPDATE verified on the provider");
  const assoc = a.host.association(b.host.hit)!;
  const data = new Uint8Array([1, 2, 3]);
  const n = calls.sign;
  const sig = assoc.sign(data);
  assert.equal(calls.sign, n + 1);
  assert.ok(b.host.association(a.host.hit)!.verifyPeer(data, sig), "@noble verifies node:crypto's signature");
});

test("syncCrypto: an asynchronous provider (WebCrypto) is not called inline; @noble signs", async () => {
  const web = await WebCryptoProvider.create();
  assert.ok(web, "WebCrypto exists in Node 20");
  const { p, calls } = counted(web);
  assert.notEqual(p.synchronous, true);
  const { net, a, b } = pair(p);
  a.host.close(net.now, b.host.hit);
  net.run(net.now + 1000);
  assert.equal(eventsOf(a, "closed").length, 1);
  assert.deepEqual(calls, { sign: 0, verify: 0, generateEcdh: 0 });
});

test("syncCrypto: a provider misdeclared synchronous (returns Promises) falls back to @noble", () => {
  const node = nodeCryptoProvider();
  const liar: CryptoProvider = { ...node, synchronous: true, supports: (x) => node.supports(x), sign: async () => new Uint8Array(64), verify: async () => true };
  const { net, a, b } = pair(liar);
  a.host.close(net.now, b.host.hit);
  net.run(net.now + 1000);
  assert.equal(eventsOf(b, "closed").length, 1, "the CLOSE carried a real (@noble) signature");
  assert.equal(eventsOf(a, "closed").length, 1);
});

test("syncCrypto: the Responder's R1 generation DH key comes from it; a @noble Initiator completes the exchange", () => {
  const { p, calls } = counted(nodeCryptoProvider());
  for (const [curve, group] of [
    ["P-256", 7],
    ["P-384", 8],
  ] as const) {
    calls.generateEcdh = 0;
    const net = new Net();
    const a = net.add(1, "192.0.2.1", { dhGroups: [group] }, HostIdentity.generate(new SeededRng(21), curve)); // @noble
    const b = net.add(2, "192.0.2.2", { dhGroups: [group], syncCrypto: p }, HostIdentity.generate(new SeededRng(22), curve));
    a.host.connect(net.now, b.loc, b.host.hit, a.loc);
    net.run(1000);
    assert.equal(eventsOf(a, "established").length, 1, curve);
    assert.equal(calls.generateEcdh, 1, `${curve}: one generation key, from the provider`);
    const ia = eventsOf(a, "sa-install")[0];
    const ib = eventsOf(b, "sa-install")[0];
    assert.deepEqual(ia.outbound.encKey, ib.inbound.encKey, `${curve}: same Kij on both sides`);
  }
});
