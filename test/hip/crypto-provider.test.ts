// Crypto providers (src/core/crypto): WebCrypto and @noble give the same results — the same
// Ed25519 signatures, ECDSA signatures each verifies from the other, the same ECDH secrets,
// hashes, HMACs and HKDF output — and both reject the same bad inputs.
import assert from "node:assert/strict";
import { test } from "node:test";
import { ecdhSeedLength, nobleProvider } from "../../src/core/crypto/noble.ts";
import type { CryptoProvider, EcdhCurve } from "../../src/core/crypto/provider.ts";
import { WebCryptoProvider } from "../../src/core/crypto/webcrypto.ts";
import { withFallback } from "../../src/core/crypto/fallback.ts";
import { SeededRng } from "../../src/core/rng.ts";
import { generateDhKey } from "../../src/hip/dh.ts";
import { HostIdentity } from "../../src/hip/identity.ts";

const web = async (): Promise<CryptoProvider> => {
  const w = await WebCryptoProvider.create();
  assert.ok(w, "Node 20 has crypto.subtle");
  return w;
};

test("providers: WebCrypto supports P-256, P-384 (ECDSA, ECDH) and Ed25519 in Node 20", async () => {
  const w = await web();
  for (const a of ["ECDSA-P256", "ECDSA-P384", "Ed25519", "P-256", "P-384"] as const) assert.ok(w.supports(a), a);
});

test("providers: Ed25519 signatures are the same bytes; each verifies the other's", async () => {
  const w = await web();
  const rng = new SeededRng(1);
  for (let i = 0; i < 4; i++) {
    const id = HostIdentity.generate(rng, "Ed25519");
    const data = rng.fill(new Uint8Array(100 + i));
    const a = await w.sign(id.signingKey!, "SHA-384", data);
    const b = nobleProvider.sign(id.signingKey!, "SHA-384", data) as Uint8Array;
    assert.deepEqual(a, b);
    assert.deepEqual(a, id.sign(data), "the identity's own signature too");
    assert.equal(await w.verify(id.providerKey!, "SHA-384", data, b), true);
    const bad = b.slice();
    bad[5] ^= 1;
    assert.equal(await w.verify(id.providerKey!, "SHA-384", data, bad), false);
    assert.equal(nobleProvider.verify(id.providerKey!, "SHA-384", data, bad), false);
  }
});

test("providers: ECDSA P-256 / P-384 signatures (SHA-384, and SHA-256 for P-256) cross-verify", async () => {
  const w = await web();
  const rng = new SeededRng(2);
  for (const [curve, hashes] of [["P-256", ["SHA-384", "SHA-256"]], ["P-384", ["SHA-384"]]] as const) {
    const id = HostIdentity.generate(rng, curve);
    const peer = id.toPeer();
    for (const h of hashes) {
      const data = rng.fill(new Uint8Array(333));
      const sw = await w.sign(id.signingKey!, h, data);
      const sn = nobleProvider.sign(id.signingKey!, h, data) as Uint8Array;
      assert.equal(sw.length, peer.signatureLength);
      assert.equal(nobleProvider.verify(peer.providerKey!, h, data, sw), true, `${curve} ${h}: noble verifies WebCrypto`);
      assert.equal(await w.verify(peer.providerKey!, h, data, sn), true, `${curve} ${h}: WebCrypto verifies noble`);
      if (h === "SHA-384") {
        assert.equal(peer.verify(data, sw), true, "PeerIdentity (HIP rules) verifies the WebCrypto signature");
        assert.deepEqual(sn, id.sign(data), "noble = the identity's RFC 6979 signature");
      }
      const other = data.slice();
      other[0] ^= 1;
      assert.equal(await w.verify(peer.providerKey!, h, other, sn), false);
      assert.equal(nobleProvider.verify(peer.providerKey!, h, other, sw), false);
    }
  }
});

test("providers: ECDH gives the same Kij both ways; invalid points are refused by both", async () => {
  const w = await web();
  const rng = new SeededRng(3);
  for (const [curve, group] of [["P-256", 7], ["P-384", 8]] as const) {
    const x = generateDhKey(rng, group);
    const y = generateDhKey(rng, group);
    const ref = (k: typeof x) => ({ curve: curve as EcdhCurve, pub: k.publicValue, secret: k.secret });
    const a = await w.ecdh(ref(x), y.publicValue);
    const b = nobleProvider.ecdh(ref(y), x.publicValue) as Uint8Array;
    assert.ok(a && b);
    assert.equal(a.length, curve === "P-256" ? 32 : 48);
    assert.deepEqual(a, b);
    const off = y.publicValue.slice();
    off[off.length - 1] ^= 1; // not on the curve
    assert.equal(await w.ecdh(ref(x), off), undefined);
    assert.equal(nobleProvider.ecdh(ref(x), off), undefined);
    assert.equal(await w.ecdh(ref(x), y.publicValue.subarray(1)), undefined);
    // Ephemeral keys: the public value each returns gives the same Kij with the other provider.
    for (const p of [w, nobleProvider]) {
      const e = await p.ephemeralEcdh(curve, rng.fill(new Uint8Array(ecdhSeedLength(curve))), x.publicValue);
      assert.ok(e);
      assert.deepEqual(e.kij, await (p === w ? nobleProvider : w).ecdh(ref(x), e.publicValue));
    }
    // Generated key pairs work in the other provider.
    const g = await w.generateEcdh(curve, new Uint8Array(0));
    assert.deepEqual(nobleProvider.ecdh(g, x.publicValue), await w.ecdh(ref(x), g.pub));
  }
});

test("providers: hash, HMAC and HKDF outputs are identical; the fallback keeps noble for them", async () => {
  const w = await web();
  const rng = new SeededRng(4);
  const data = rng.fill(new Uint8Array(200));
  const key = rng.fill(new Uint8Array(48));
  for (const h of ["SHA-1", "SHA-256", "SHA-384"] as const) {
    assert.deepEqual(await w.hash(h, data), nobleProvider.hash(h, data));
    assert.deepEqual(await w.hmac(h, key, data), nobleProvider.hmac(h, key, data));
    assert.deepEqual(await w.hkdf(h, key, data.subarray(0, 32), data.subarray(32, 64), 100), nobleProvider.hkdf(h, key, data.subarray(0, 32), data.subarray(32, 64), 100));
  }
  const f = withFallback(w, nobleProvider);
  assert.ok(!(f.hmac("SHA-384", key, data) instanceof Promise), "symmetric primitives stay synchronous");
});

test("providers: the synchronous node:crypto provider (runtime/crypto-node.ts) agrees with @noble", async () => {
  const { nodeCryptoProvider } = await import("../../src/runtime/crypto-node.ts");
  const n = nodeCryptoProvider();
  const rng = new SeededRng(5);
  for (const curve of ["P-256", "P-384", "Ed25519"] as const) {
    const id = HostIdentity.generate(rng, curve);
    const peer = id.toPeer();
    const data = rng.fill(new Uint8Array(150));
    const s = n.sign(id.signingKey!, "SHA-384", data);
    assert.ok(!(s instanceof Promise), "synchronous");
    assert.equal(peer.verify(data, s as Uint8Array), true, curve);
    assert.equal(n.verify(peer.providerKey!, "SHA-384", data, id.sign(data)), true, curve);
    if (curve === "Ed25519") assert.deepEqual(s, id.sign(data));
    const bad = id.sign(data);
    bad[3] ^= 1;
    assert.equal(n.verify(peer.providerKey!, "SHA-384", data, bad), false);
  }
  for (const [curve, group] of [["P-256", 7], ["P-384", 8]] as const) {
    const x = generateDhKey(rng, group);
    const y = generateDhKey(rng, group);
    const kij = n.ecdh({ curve, pub: x.publicValue, secret: x.secret }, y.publicValue);
    assert.deepEqual(kij, nobleProvider.ecdh({ curve, pub: y.publicValue, secret: y.secret }, x.publicValue));
    const off = y.publicValue.slice();
    off[0] ^= 1;
    assert.equal(n.ecdh({ curve, pub: x.publicValue, secret: x.secret }, off), undefined);
    const e = n.ephemeralEcdh(curve, new Uint8Array(0), x.publicValue) as { publicValue: Uint8Array; kij: Uint8Array };
    assert.deepEqual(e.kij, nobleProvider.ecdh({ curve, pub: x.publicValue, secret: x.secret }, e.publicValue));
  }
});

test("symmetric primitives of the cores (core/crypto/sym.ts): node:crypto installed gives @noble's bytes", async () => {
  const sym = await import("../../src/core/crypto/sym.ts");
  const { nodeSym } = await import("../../src/runtime/crypto-node.ts");
  const run = () => {
    const rng = new SeededRng(6);
    const out: (Uint8Array | undefined)[] = [];
    for (const n of [0, 1, 15, 16, 17, 100, 333]) {
      const data = rng.fill(new Uint8Array(n));
      const key = rng.fill(new Uint8Array(48));
      const iv = rng.fill(new Uint8Array(16));
      out.push(sym.sha256(data), sym.sha384(data), sym.hmac(sym.sha256, key, data), sym.hmac(sym.sha384, key.subarray(0, 20), data));
      for (const kl of [16, 32]) {
        const c = sym.aesCbcEncrypt(key.subarray(0, kl), iv, data);
        out.push(c, sym.aesCbcDecrypt(key.subarray(0, kl), iv, c));
        const bad = c.slice();
        bad[bad.length - 1] ^= 0x55; // last block garbled: the padding check fails
        out.push(sym.aesCbcDecrypt(key.subarray(0, kl), iv, bad), sym.aesCbcDecrypt(key.subarray(0, kl), iv, c.subarray(0, c.length - 1)));
      }
    }
    return out;
  };
  sym.installNativeSym(undefined);
  const noble = run();
  sym.installNativeSym(nodeSym);
  try {
    const native = run();
    assert.equal(native.length, noble.length);
    for (let i = 0; i < noble.length; i++) assert.deepEqual(native[i], noble[i], `output ${i}`);
    assert.ok(noble.some((x) => x === undefined), "bad padding is refused");
  } finally {
    sym.installNativeSym(undefined);
  }
});

test("identity public keys (HostIdentity.generate / fromSecretKey): node:crypto installed gives @noble's points; invalid scalars refused", async () => {
  const sym = await import("../../src/core/crypto/sym.ts");
  const { nodeSym } = await import("../../src/runtime/crypto-node.ts");
  const run = () => {
    const out: (Uint8Array | undefined)[] = [];
    for (const curve of ["P-256", "P-384"] as const) {
      const rng = new SeededRng(curve === "P-256" ? 7 : 8);
      for (let i = 0; i < 8; i++) {
        const id = HostIdentity.generate(rng, curve);
        out.push(id.hostId, id.hit);
        out.push(HostIdentity.fromSecretKey(id.exportSecretKey(), curve)?.hostId);
      }
      const n = curve === "P-256" ? 32 : 48;
      // 0 and the group order (n, above every valid scalar) are no keys.
      const order = curve === "P-256" ? "ffffffff00000000ffffffffffffffffbce6faada7179e84f3b9cac2fc632551" : "ffffffffffffffffffffffffffffffffffffffffffffffffc7634d81f4372ddf581a0db248b0a77aecec196accc52973";
      out.push(HostIdentity.fromSecretKey(new Uint8Array(n), curve)?.hostId, HostIdentity.fromSecretKey(Uint8Array.from(Buffer.from(order, "hex")), curve)?.hostId);
    }
    return out;
  };
  sym.installNativeSym(undefined);
  const noble = run();
  let calls = 0;
  sym.installNativeSym({
    ...nodeSym,
    ecPublic: (c, s) => {
      calls++;
      return nodeSym.ecPublic!(c, s);
    },
  });
  try {
    const native = run();
    assert.ok(calls >= 32, `node:crypto computed the points (${calls} calls)`);
    assert.equal(native.length, noble.length);
    for (let i = 0; i < noble.length; i++) assert.deepEqual(native[i], noble[i], `output ${i}`);
    assert.equal(noble.filter((x) => x === undefined).length, 4, "scalars 0 and n are refused");
  } finally {
    sym.installNativeSym(undefined);
  }
});

test("node:crypto provider: a cached verification answers only for the same key, data and signature", async () => {
  const { nodeCryptoProvider } = await import("../../src/runtime/crypto-node.ts");
  const n = nodeCryptoProvider();
  const rng = new SeededRng(7);
  for (const curve of ["P-256", "P-384"] as const) {
    const id = HostIdentity.generate(rng, curve);
    const other = HostIdentity.generate(rng, curve).toPeer();
    const data = rng.fill(new Uint8Array(300));
    const sig = id.sign(data);
    for (let i = 0; i < 2; i++) assert.equal(n.verify(id.toPeer().providerKey!, "SHA-384", data, sig), true, `${curve} #${i}`);
    const bad = sig.slice();
    bad[5] ^= 1;
    const data2 = data.slice();
    data2[299] ^= 1;
    assert.equal(n.verify(id.toPeer().providerKey!, "SHA-384", data, bad), false);
    assert.equal(n.verify(id.toPeer().providerKey!, "SHA-384", data2, sig), false);
    assert.equal(n.verify(other.providerKey!, "SHA-384", data, sig), false);
    assert.equal(n.verify(id.toPeer().providerKey!, "SHA-256", data, sig), false);
  }
});

test("WebCrypto provider: a signature verified once answers at once (no Promise), only for the same inputs", async () => {
  const w = await web();
  const rng = new SeededRng(8);
  const id = HostIdentity.generate(rng, "P-256");
  const data = rng.fill(new Uint8Array(200));
  const sig = id.sign(data);
  const first = w.verify(id.toPeer().providerKey!, "SHA-384", data, sig);
  assert.ok(first instanceof Promise);
  assert.equal(await first, true);
  assert.equal(w.verify(id.toPeer().providerKey!, "SHA-384", data, sig), true, "cached: synchronous");
  const bad = sig.slice();
  bad[1] ^= 1;
  assert.equal(await w.verify(id.toPeer().providerKey!, "SHA-384", data, bad), false);
  const data2 = data.slice();
  data2[0] ^= 1;
  assert.equal(await w.verify(id.toPeer().providerKey!, "SHA-384", data2, sig), false);
  assert.equal(await w.verify(HostIdentity.generate(rng, "P-256").toPeer().providerKey!, "SHA-384", data, sig), false);
});

test("node:crypto provider: a spare ephemeral key (prepareEphemeral) gives a correct Kij and is used once", async () => {
  const { nodeCryptoProvider } = await import("../../src/runtime/crypto-node.ts");
  const n = nodeCryptoProvider();
  const rng = new SeededRng(9);
  for (const [curve, group] of [["P-256", 7], ["P-384", 8]] as const) {
    const x = generateDhKey(rng, group);
    n.prepareEphemeral(curve);
    const seen = new Set<string>();
    for (let i = 0; i < 3; i++) {
      const e = n.ephemeralEcdh(curve, new Uint8Array(0), x.publicValue) as { publicValue: Uint8Array; kij: Uint8Array };
      assert.deepEqual(e.kij, nobleProvider.ecdh({ curve, pub: x.publicValue, secret: x.secret }, e.publicValue), `${curve} #${i}`);
      seen.add(Buffer.from(e.publicValue).toString("hex"));
    }
    assert.equal(seen.size, 3, "a fresh key each time");
    const off = x.publicValue.slice();
    off[0] ^= 1;
    n.prepareEphemeral(curve);
    assert.equal(n.ephemeralEcdh(curve, new Uint8Array(0), off), undefined);
  }
});
