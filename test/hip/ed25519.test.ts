// Ed25519 host identities (RFC 9374 §3.4: HI algorithm EdDSA 13, curve Ed25519 = 1, HIT suite 5
// EdDSA/cSHAKE128) and base exchanges between mixed HI algorithms (RFC 7401 §5.2.10).
import assert from "node:assert/strict";
import { createPrivateKey, createPublicKey, verify as nodeVerify } from "node:crypto";
import { mkdtemp, stat } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { test } from "node:test";
import { cshake128 } from "@noble/hashes/sha3-addons.js";
import { Keccak } from "@noble/hashes/sha3.js";
import { fromHex, hex } from "../../src/core/bytes.ts";
import { SeededRng } from "../../src/core/rng.ts";
import { keygen } from "../../src/cli/keygen.ts";
import { HIT_CONTEXT_ID, hitFromString, hitSuiteOf, hitToString, isHit } from "../../src/hip/hit.ts";
import { type CurveName, HostIdentity, PeerIdentity } from "../../src/hip/identity.ts";
import { decodeKeyfile, encodeKeyfile } from "../../src/hip/keyfile.ts";
import { loadIdentity, saveIdentity } from "../../src/runtime/keyfile-node.ts";
import { ParamType } from "../../src/wire/constants.ts";
import { eventsOf, Net } from "./net.ts";

const b = (h: string) => fromHex(h)!;
const utf8 = (s: string) => new TextEncoder().encode(s);

// --- an independent cSHAKE128 (NIST SP 800-185 §3.3) on the raw Keccak sponge ------------------
function leftEncode(x: number): number[] {
  const out: number[] = [];
  for (let v = x; v > 0 || out.length === 0; v = Math.floor(v / 256)) out.unshift(v & 0xff);
  return [out.length, ...out];
}
function encodeString(s: Uint8Array): number[] {
  return [...leftEncode(s.length * 8), ...s];
}
/** cSHAKE128(X, L, N, S) = KECCAK[256](bytepad(encode_string(N) || encode_string(S), 168) || X || 00, L). */
function refCshake128(x: Uint8Array, outBytes: number, n: Uint8Array, s: Uint8Array): Uint8Array {
  const pad = [...leftEncode(168), ...encodeString(n), ...encodeString(s)];
  while (pad.length % 168 !== 0) pad.push(0);
  const k = new Keccak(168, 0x04, outBytes, true); // domain bits 00 + pad10*1 → suffix 0x04
  k.update(Uint8Array.from(pad));
  k.update(x);
  return k.xof(outBytes);
}

/** RFC 9374 §3.5.2.1 / RFC 7343: 2001:20::/28 | OGA 5 | cSHAKE128(HI, 96, "", Context ID). */
function referenceHit(hostId: Uint8Array): string {
  return `20010025${hex(refCshake128(hostId, 12, new Uint8Array(0), HIT_CONTEXT_ID))}`;
}

test("reference cSHAKE128 reproduces NIST SP 800-185 sample #1 and agrees with noble", () => {
  const x = b("00010203");
  const want = "c1c36925b6409a04f1b504fcbca9d82b4017277cb5ed2b2065fc1d3814d5aaf5";
  assert.equal(hex(refCshake128(x, 32, new Uint8Array(0), utf8("Email Signature"))), want);
  assert.equal(hex(cshake128(x, { personalization: utf8("Email Signature"), dkLen: 32 })), want);
});

test("cSHAKE128 with the ORCHID Context ID as customization reproduces a published DRIP DET (RFC 9374 §3.5.2)", () => {
  // DET test vector from DRIP tooling: Ed25519 seed → HI → 2001:30:3ff8:405:a5c7:51d1:7b8c:6526.
  const seed = b("c31aaf7858f71f1277b630a1e5eff29535e8ef18a461dc85d8d5ab0414cad8b1");
  const id = HostIdentity.fromSecretKey(seed, "Ed25519")!;
  assert.equal(hex(id.publicKey), "a6278b299968fee58bbd7f57571c2118d0d3245d302cdb07f2c6735807958b8f");
  const upper = b("200100303ff80405"); // Prefix | HID | HHIT Suite 5
  const ctx = b("00b5a69c795df5d5f0087f56843f2c40"); // RFC 9374 §3 DET Context ID
  const input = new Uint8Array([...upper, ...id.publicKey]);
  assert.equal(hex(refCshake128(input, 8, new Uint8Array(0), ctx)), "a5c751d17b8c6526");
});

test("Ed25519 HI encoding and HIT (suite 5) are byte-exact; keys agree with RFC 8032 and node:crypto", () => {
  // RFC 8032 §7.1 TEST 1.
  const seed = b("9d61b19deffd5a60ba844af492ec2cc44449c5697b326919703bac031cae7f60");
  const id = HostIdentity.fromSecretKey(seed, "Ed25519")!;
  assert.equal(hex(id.publicKey), "d75a980182b10ab7d54bfed3c964073a0ee172f3daa62325af021a68f707511a");
  const pkcs8 = Buffer.concat([Buffer.from("302e020100300506032b657004220420", "hex"), seed]);
  const jwk = createPublicKey(createPrivateKey({ key: pkcs8, format: "der", type: "pkcs8" })).export({ format: "jwk" });
  assert.equal(Buffer.from(jwk.x!, "base64url").toString("hex"), hex(id.publicKey));
  assert.equal(id.algorithm, 13);
  assert.equal(id.curve, 1);
  assert.equal(id.hitSuite, 5);
  assert.equal(hex(id.hostId), `0001${hex(id.publicKey)}`); // EdDSA Curve | Public Key
  assert.ok(isHit(id.hit));
  assert.equal(hitSuiteOf(id.hit), 5);
  assert.equal(hex(id.hit), referenceHit(id.hostId));
  assert.deepEqual(hitFromString(hitToString(id.hit)), id.hit);
  // RFC 8032 TEST 1 signature of the empty message.
  const sig = id.sign(new Uint8Array(0));
  assert.equal(hex(sig), "e5564300c360ac729086e2cc806e828a84877f1eb8e5d974d873e065224901555fb8821590a33bacc61e39701cf9b46bd25bf5f0595bbe24655141438e7a100b");
});

test("Ed25519 signatures verify with PeerIdentity and node:crypto; tampering fails", () => {
  const id = HostIdentity.generate(new SeededRng(71), "Ed25519");
  const msg = utf8("hip signed data");
  const sig = id.sign(msg);
  assert.equal(sig.length, 64);
  assert.equal(id.signatureLength, 64);
  const peer = PeerIdentity.fromHostId(13, id.hostId)!;
  assert.ok(peer.verify(msg, sig));
  assert.ok(!peer.verify(utf8("other"), sig));
  const bad = sig.slice();
  bad[40] ^= 1;
  assert.ok(!peer.verify(msg, bad));
  assert.ok(!peer.verify(msg, sig.subarray(0, 63)));
  const key = createPublicKey({ key: { kty: "OKP", crv: "Ed25519", x: Buffer.from(id.publicKey).toString("base64url") }, format: "jwk" });
  assert.ok(nodeVerify(null, msg, key, sig));
  assert.ok(!JSON.stringify(id).includes(hex(id.exportSecretKey())));
});

test("PeerIdentity rejects bad EdDSA HIs", () => {
  const id = HostIdentity.generate(new SeededRng(72), "Ed25519");
  assert.ok(PeerIdentity.fromHostId(13, id.hostId));
  assert.equal(PeerIdentity.fromHostId(7, id.hostId), undefined); // EdDSA HI under ECDSA
  const ph = id.hostId.slice();
  ph[1] = 2; // Ed25519ph: not supported
  assert.equal(PeerIdentity.fromHostId(13, ph), undefined);
  assert.equal(PeerIdentity.fromHostId(13, id.hostId.subarray(0, 33)), undefined);
  const identity = new Uint8Array(34);
  identity[1] = 1;
  identity[2] = 1; // the neutral point (small order)
  assert.equal(PeerIdentity.fromHostId(13, identity), undefined);
  const nonCanonical = new Uint8Array(34).fill(0xff);
  nonCanonical[0] = 0;
  nonCanonical[1] = 1;
  nonCanonical[33] = 0x7f; // y = 2^255 - 1 ≥ p
  assert.equal(PeerIdentity.fromHostId(13, nonCanonical), undefined);
});

test("Ed25519 keyfile round trip, tamper detection, mode 0600; keygen --curve ed25519", async () => {
  const id = HostIdentity.generate(new SeededRng(73), "Ed25519");
  const text = encodeKeyfile(id);
  const j = JSON.parse(text);
  assert.equal(j.algorithm, "EdDSA");
  assert.equal(j.algorithmId, 13);
  assert.equal(j.curve, "Ed25519");
  assert.equal(j.curveId, 1);
  assert.equal(j.hit, hitToString(id.hit));
  const r = decodeKeyfile(text);
  assert.ok(r.ok);
  if (r.ok) {
    assert.deepEqual(r.identity.hit, id.hit);
    assert.equal(r.identity.curveName, "Ed25519");
    assert.deepEqual(r.identity.exportSecretKey(), id.exportSecretKey());
  }
  assert.equal(decodeKeyfile(JSON.stringify({ ...j, algorithm: "ECDSA", algorithmId: 7 })).ok, false);
  assert.equal(decodeKeyfile(JSON.stringify({ ...j, hit: "2001:25::1" })).ok, false);
  assert.equal(decodeKeyfile(JSON.stringify({ ...j, curve: "Ed448" })).ok, false);
  assert.equal(decodeKeyfile(JSON.stringify({ ...j, privateKey: j.privateKey.slice(2) })).ok, false);

  const dir = await mkdtemp(join(tmpdir(), "hipmm-ed-"));
  await saveIdentity(join(dir, "a.json"), id);
  assert.equal((await stat(join(dir, "a.json"))).mode & 0o777, 0o600);
  assert.deepEqual((await loadIdentity(join(dir, "a.json"))).hit, id.hit);

  const out = join(dir, "k.json");
  const printed: string[] = [];
  const log = console.log;
  console.log = (s: string) => printed.push(s);
  try {
    assert.equal(await keygen(["--curve", "ed25519", "-o", out]), 0);
  } finally {
    console.log = log;
  }
  const k = await loadIdentity(out);
  assert.equal(k.curveName, "Ed25519");
  assert.equal(hitSuiteOf(k.hit), 5);
  assert.deepEqual(printed, [hitToString(k.hit)]);
  assert.equal((await stat(out)).mode & 0o777, 0o600);
});

// --- base exchanges across HI algorithms -------------------------------------------------------

function exchange(ci: CurveName, cr: CurveName, seed: number) {
  const net = new Net();
  const i = net.add(seed, "192.0.2.1", {}, HostIdentity.generate(new SeededRng(seed * 10), ci));
  const r = net.add(seed + 1, "192.0.2.2", {}, HostIdentity.generate(new SeededRng(seed * 10 + 1), cr));
  const r1Suites: number[][] = [];
  const sigAlgs: number[] = [];
  net.tamper = (_p, hip) => {
    // Record R1's HIT_SUITE_LIST and the SIG alg of every HIP_SIGNATURE(_2) (walk the TLVs).
    for (let o = 40; o + 4 <= hip.length; ) {
      const t = (hip[o] << 8) | hip[o + 1];
      const len = (hip[o + 2] << 8) | hip[o + 3];
      if (t === ParamType.HIT_SUITE_LIST) r1Suites.push(Array.from(hip.subarray(o + 4, o + 4 + len)));
      if (t === ParamType.HIP_SIGNATURE || t === ParamType.HIP_SIGNATURE_2) sigAlgs.push((hip[o + 4] << 8) | hip[o + 5]);
      o += (len + 11) & ~7;
    }
    return hip;
  };
  i.host.connect(net.now, r.loc, r.host.hit, i.loc);
  net.run(2000);
  return { net, i, r, r1Suites, sigAlgs };
}

const algOf = (c: CurveName) => (c === "Ed25519" ? 13 : 7);
const suiteOf = (c: CurveName) => (c === "Ed25519" ? 5 : 2);

const pairs: [CurveName, CurveName][] = [
  ["Ed25519", "P-256"],
  ["P-256", "Ed25519"],
  ["Ed25519", "Ed25519"],
  ["P-384", "P-256"],
  ["P-256", "P-384"],
  ["Ed25519", "P-384"],
];
pairs.forEach(([ci, cr], n) => {
  test(`base exchange: ${ci} Initiator ↔ ${cr} Responder reaches ESTABLISHED with matching SAs`, () => {
    const { i, r, r1Suites, sigAlgs } = exchange(ci, cr, 100 + 2 * n);
    const ai = i.host.association(r.host.hit);
    const ar = r.host.association(i.host.hit);
    assert.equal(ai?.state, "ESTABLISHED");
    assert.equal(ar?.state, "R2-SENT");
    assert.equal(hitSuiteOf(i.host.hit), suiteOf(ci));
    assert.equal(hitSuiteOf(r.host.hit), suiteOf(cr));
    // Each side verified the other with the peer's HI algorithm.
    assert.equal(ai.peerIdentity?.algorithm, algOf(cr));
    assert.equal(ar.peerIdentity?.algorithm, algOf(ci));
    assert.equal(ar.peerIdentity?.curveName, ci);
    // R1 lists the Responder's own suite first, then the others it accepts (§5.2.10, high nibble).
    assert.deepEqual(r1Suites, [suiteOf(cr) === 5 ? [0x50, 0x20, 0x10] : [0x20, 0x50, 0x10]]);
    // R1 (SIGNATURE_2) and R2 signed by the Responder, I2 by the Initiator.
    assert.deepEqual(sigAlgs, [algOf(cr), algOf(ci), algOf(cr)]);
    const si = eventsOf(i, "sa-install")[0];
    const sr = eventsOf(r, "sa-install")[0];
    assert.deepEqual(si.outbound.encKey, sr.inbound.encKey);
    assert.deepEqual(sr.outbound.authKey, si.inbound.authKey);
    assert.equal(i.host.counters.drop ?? 0, 0);
    assert.equal(r.host.counters.drop ?? 0, 0);
  });
});

test("a forged Ed25519 I2 signature is rejected (NOTIFY AUTHENTICATION_FAILED, no association)", () => {
  const net = new Net();
  // Checksums off: the tamper hook changes bytes after the sender filled the checksum.
  const i = net.add(300, "192.0.2.1", { checksum: "zero" }, HostIdentity.generate(new SeededRng(3000), "Ed25519"));
  const r = net.add(301, "192.0.2.2", { checksum: "zero" }, HostIdentity.generate(new SeededRng(3001), "P-256"));
  net.tamper = (_p, hip) => {
    if (hip[2] !== 3) return hip; // I2 only
    // HIP_SIGNATURE is the last TLV: 4 + 2 + 64 = 70 bytes, 2 bytes of padding.
    const out = hip.slice();
    out[out.length - 10] ^= 1;
    return out;
  };
  i.host.connect(net.now, r.loc, r.host.hit, i.loc);
  net.run(500);
  assert.equal(r.host.counters["drop.bad_signature"], 1);
  assert.equal(i.host.counters["rx.NOTIFY"], 1);
  assert.equal(r.host.association(i.host.hit), undefined);
  assert.notEqual(i.host.association(r.host.hit)?.state, "ESTABLISHED");
});
