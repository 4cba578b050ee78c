import assert from "node:assert/strict";
import { createHash, createPrivateKey, createPublicKey, sign as nodeSign, verify as nodeVerify } from "node:crypto";
import { mkdtemp, readFile, stat } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { test } from "node:test";
import { hex } from "../../src/core/bytes.ts";
import { SeededRng } from "../../src/core/rng.ts";
import { compareHits, hitFromString, hitSuiteOf, hitToString, isHit } from "../../src/hip/hit.ts";
import { HostIdentity, PeerIdentity } from "../../src/hip/identity.ts";
import { decodeKeyfile, encodeKeyfile } from "../../src/hip/keyfile.ts";
import { loadIdentity, saveIdentity } from "../../src/runtime/keyfile-node.ts";

/** Independent ORCHIDv2 computation (RFC 7343 §2 / RFC 7401 §3.2) with node:crypto and bigints. */
function referenceHit(hostId: Uint8Array): string {
  const ctx = Buffer.from("F0EFF02FBFF43D0FE7930C3C6E6174EA", "hex");
  const digest = createHash("sha384").update(ctx).update(hostId).digest();
  const asInt = BigInt(`0x${digest.toString("hex")}`);
  const middle = (asInt >> BigInt((384 - 96) / 2)) & ((1n << 96n) - 1n); // middle 96 of 384 bits
  const prefix = (0x2001002n << 4n) | 2n; // 28-bit prefix 2001:20::/28, OGA ID 2
  return ((prefix << 96n) | middle).toString(16).padStart(32, "0");
}

for (const curve of ["P-256", "P-384"] as const) {
  test(`${curve}: HIT is ORCHIDv2 of context ID | HI, byte-exact against an independent computation`, () => {
    const id = HostIdentity.generate(new SeededRng(curve === "P-256" ? 1 : 2), curve);
    const size = curve === "P-256" ? 32 : 48;
    // curve | 0x04 | x | y (RFC 6090 octet string as the SEC1 uncompressed point, PROTOCOL §9).
    assert.equal(id.hostId.length, 3 + 2 * size);
    assert.equal((id.hostId[0] << 8) | id.hostId[1], curve === "P-256" ? 1 : 2);
    assert.equal(id.hostId[2], 4);
    assert.ok(isHit(id.hit));
    assert.equal(hitSuiteOf(id.hit), 2);
    assert.equal(hex(id.hit), referenceHit(id.hostId));
    assert.deepEqual(hitFromString(hitToString(id.hit)), id.hit);
  });

  test(`${curve}: signatures verify with PeerIdentity and with node:crypto (r|s, SHA-384 of HIT suite 2)`, () => {
    const id = HostIdentity.generate(new SeededRng(7), curve);
    const msg = new TextEncoder().encode("hip signed data");
    const sig = id.sign(msg);
    const peer = PeerIdentity.fromHostId(7, id.hostId)!;
    assert.ok(peer.verify(msg, sig));
    assert.ok(!peer.verify(new TextEncoder().encode("other"), sig));
    const bad = sig.slice();
    bad[3] ^= 1;
    assert.ok(!peer.verify(msg, bad));
    const size = curve === "P-256" ? 32 : 48;
    const jwk = {
      kty: "EC",
      crv: curve,
      x: Buffer.from(id.publicKey.subarray(0, size)).toString("base64url"),
      y: Buffer.from(id.publicKey.subarray(size)).toString("base64url"),
    };
    const key = createPublicKey({ key: jwk, format: "jwk" });
    assert.ok(nodeVerify("sha384", msg, { key, dsaEncoding: "ieee-p1363" }, sig));
    // Received: x | y without 0x04 is the same key (HIT over what was received), and P-256
    // signatures hashed with SHA-256 (RFC 4754's pairing) verify too; P-384 ones only with SHA-384.
    const legacy = PeerIdentity.fromHostId(7, new Uint8Array([...id.hostId.subarray(0, 2), ...id.publicKey]))!;
    assert.ok(legacy.verify(msg, sig));
    assert.notDeepEqual(legacy.hit, id.hit);
    const priv = createPrivateKey({ key: { ...jwk, d: Buffer.from(id.exportSecretKey()).toString("base64url") }, format: "jwk" });
    const sig256 = nodeSign("sha256", msg, { key: priv, dsaEncoding: "ieee-p1363" });
    assert.equal(peer.verify(msg, sig256), curve === "P-256");
    const bad04 = id.hostId.slice();
    bad04[2] = 3;
    assert.equal(PeerIdentity.fromHostId(7, bad04), undefined);
  });
}

test("generation is deterministic in the Rng and differs across seeds", () => {
  const a = HostIdentity.generate(new SeededRng(42));
  const b = HostIdentity.generate(new SeededRng(42));
  const c = HostIdentity.generate(new SeededRng(43));
  assert.deepEqual(a.hit, b.hit);
  assert.notDeepEqual(a.hit, c.hit);
  assert.notEqual(compareHits(a.hit, c.hit), 0);
});

test("PeerIdentity rejects bad HIs", () => {
  const id = HostIdentity.generate(new SeededRng(3));
  assert.equal(PeerIdentity.fromHostId(5, id.hostId), undefined); // not an RFC 3110 RSA key
  const wrongCurve = id.hostId.slice();
  wrongCurve[1] = 9;
  assert.equal(PeerIdentity.fromHostId(7, wrongCurve), undefined);
  const offCurve = id.hostId.slice();
  offCurve[offCurve.length - 1] ^= 1;
  assert.equal(PeerIdentity.fromHostId(7, offCurve), undefined);
  assert.equal(PeerIdentity.fromHostId(7, id.hostId.subarray(0, 10)), undefined);
});

test("keyfile round trip and tamper detection; secrets not in JSON.stringify", () => {
  const id = HostIdentity.generate(new SeededRng(5), "P-384");
  const text = encodeKeyfile(id);
  const r = decodeKeyfile(text);
  assert.ok(r.ok);
  if (r.ok) {
    assert.deepEqual(r.identity.hit, id.hit);
    assert.deepEqual(r.identity.exportSecretKey(), id.exportSecretKey());
  }
  const j = JSON.parse(text);
  j.hit = "2001:20::1";
  assert.equal(decodeKeyfile(JSON.stringify(j)).ok, false);
  assert.equal(decodeKeyfile("nope").ok, false);
  assert.ok(!JSON.stringify(id).includes(hex(id.exportSecretKey())));
});

test("saveIdentity writes mode 0600 and loadIdentity reads it back", async () => {
  const dir = await mkdtemp(join(tmpdir(), "hipmm-id-"));
  const path = join(dir, "host.json");
  const id = HostIdentity.generate(new SeededRng(9));
  await saveIdentity(path, id);
  assert.equal((await stat(path)).mode & 0o777, 0o600);
  const back = await loadIdentity(path);
  assert.deepEqual(back.hit, id.hit);
  assert.ok((await readFile(path, "utf8")).includes('"format": "hipmm-host-identity"'));
});
