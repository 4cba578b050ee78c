// RSA host identities (RFC 7401 §5.2.9 HI algorithm 5, RFC 3110 key, RSASSA-PSS/SHA-256,
// HIT suite 1): checked against node:crypto (an independent RSA) and in base exchanges.
import assert from "node:assert/strict";
import { constants, createHash, createPublicKey, generateKeyPairSync, sign as nodeSign, verify as nodeVerify } from "node:crypto";
import { test } from "node:test";
import { hex } from "../../src/core/bytes.ts";
import { SeededRng } from "../../src/core/rng.ts";
import { hitSuiteOf } from "../../src/hip/hit.ts";
import { HostIdentity, PeerIdentity } from "../../src/hip/identity.ts";
import { decodeKeyfile, encodeKeyfile } from "../../src/hip/keyfile.ts";
import { generateRsaIdentity } from "../../src/runtime/rsa-keygen.ts";
import { Net } from "./net.ts";

const msg = new TextEncoder().encode("hip signed data");

function nodeKeyOf(id: PeerIdentity) {
  const k = id.hostId;
  const e = k.subarray(1, 1 + k[0]);
  const n = k.subarray(1 + k[0]);
  return createPublicKey({ key: { kty: "RSA", n: Buffer.from(n).toString("base64url"), e: Buffer.from(e).toString("base64url") }, format: "jwk" });
}

test("RSA identity: RFC 3110 HI, HIT suite 1 = SHA-256 ORCHID, PSS signatures node:crypto verifies", async () => {
  const id = await generateRsaIdentity(2048);
  assert.equal(id.algorithm, 5);
  assert.equal(hitSuiteOf(id.hit), 1);
  assert.equal(id.hostId[0], 3); // e = 65537: 3 octets
  assert.deepEqual(Array.from(id.hostId.subarray(1, 4)), [1, 0, 1]);
  assert.equal(id.hostId.length, 4 + 256);
  // Independent ORCHIDv2: middle 96 bits of SHA-256(context ID | HI) after 2001:21::/32.
  const d = createHash("sha256").update(Buffer.from("F0EFF02FBFF43D0FE7930C3C6E6174EA", "hex")).update(id.hostId).digest();
  assert.equal(hex(id.hit), `20010021${d.subarray(10, 22).toString("hex")}`);
  const sig = id.sign(msg);
  assert.equal(sig.length, 256);
  const key = nodeKeyOf(id);
  assert.ok(nodeVerify("sha256", msg, { key, padding: constants.RSA_PKCS1_PSS_PADDING, saltLength: 32 }, sig));
  const peer = PeerIdentity.fromHostId(5, id.hostId)!;
  assert.ok(peer.verify(msg, sig));
  assert.ok(!peer.verify(new TextEncoder().encode("other"), sig));
  const bad = sig.slice();
  bad[100] ^= 1;
  assert.ok(!peer.verify(msg, bad));
  // Keyfile round trip.
  const back = decodeKeyfile(encodeKeyfile(id));
  assert.ok(back.ok);
  assert.deepEqual(back.identity.hit, id.hit);
  assert.ok(peer.verify(msg, back.identity.sign(msg)));
});

test("RSA verification: node:crypto PSS signatures with any salt length; malformed keys refused", () => {
  const kp = generateKeyPairSync("rsa", { modulusLength: 2048 });
  const j = kp.publicKey.export({ format: "jwk" });
  const hi = new Uint8Array([3, ...Buffer.from(j.e!, "base64url"), ...Buffer.from(j.n!, "base64url")]);
  const peer = PeerIdentity.fromHostId(5, hi)!;
  for (const saltLength of [0, 20, 32, 64]) {
    assert.ok(peer.verify(msg, nodeSign("sha256", msg, { key: kp.privateKey, padding: constants.RSA_PKCS1_PSS_PADDING, saltLength })), `salt ${saltLength}`);
  }
  // PKCS#1 v1.5 is not PSS.
  assert.ok(!peer.verify(msg, nodeSign("sha256", msg, kp.privateKey)));
  assert.equal(PeerIdentity.fromHostId(5, hi.subarray(0, 100)), undefined); // 768-bit modulus: too small
  const even = hi.slice();
  even[even.length - 1] &= 0xfe;
  assert.equal(PeerIdentity.fromHostId(5, even), undefined);
  const zeroLead = new Uint8Array([3, 1, 0, 1, 0, ...hi.subarray(4)]);
  assert.equal(PeerIdentity.fromHostId(5, zeroLead), undefined);
});

for (const [ci, cr] of [
  ["RSA", "P-256"],
  ["P-384", "RSA"],
  ["RSA", "RSA"],
] as const) {
  test(`base exchange: ${ci} Initiator ↔ ${cr} Responder (RHASH = the Responder's HIT suite hash)`, async () => {
    const net = new Net();
    const idOf = async (c: "RSA" | "P-256" | "P-384", s: number) => (c === "RSA" ? generateRsaIdentity(2048) : HostIdentity.generate(new SeededRng(s), c));
    const i = net.add(1, "192.0.2.1", { r1Counter: ci === "RSA" }, await idOf(ci, 11));
    const r = net.add(2, "192.0.2.2", { r1Counter: cr !== "RSA" }, await idOf(cr, 12));
    i.host.connect(net.now, r.loc, r.host.hit, i.loc);
    net.run(5000);
    assert.equal(i.host.association(r.host.hit)?.state, "ESTABLISHED");
    assert.ok(["R2-SENT", "ESTABLISHED"].includes(r.host.association(i.host.hit)?.state ?? ""));
    assert.equal(i.host.association(r.host.hit)?.rhash.outputLen, cr === "RSA" ? 32 : 48);
    const si = i.events.find((e) => e.type === "sa-install");
    const sr = r.events.find((e) => e.type === "sa-install");
    assert.ok(si?.type === "sa-install" && sr?.type === "sa-install");
    assert.equal(si.outbound.spi, sr.inbound.spi);
    assert.ok(si.outbound.encKey.length > 0);
    assert.deepEqual([si.outbound.encKey, si.outbound.authKey], [sr.inbound.encKey, sr.inbound.authKey]);
    assert.deepEqual([si.inbound.encKey, si.inbound.authKey], [sr.outbound.encKey, sr.outbound.authKey]);
  });
}
