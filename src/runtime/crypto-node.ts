// A synchronous native crypto provider for Node (node:crypto, OpenSSL on the calling thread):
// the WebCrypto provider's speed per operation without its Promise and thread-pool hop per call
// (~30-40 µs awaited, much more on a loaded machine). A job run on it completes inside the
// driver's loop, like @noble's. startNodeHost's default (`nodeCryptoDefault()`, one per process:
// imported keys are shared); WebCrypto stays the default elsewhere (core/crypto/detect.ts).
// Same raw-key conventions and results (test/hip).
import {
  createCipheriv,
  createDecipheriv,
  createECDH,
  createHash,
  createHmac,
  createPrivateKey,
  createPublicKey,
  diffieHellman,
  generateKeyPairSync,
  type KeyObject,
  sign,
  verify,
} from "node:crypto";
import { nobleProvider } from "../core/crypto/noble.ts";
import type { CryptoProvider, EcdhCurve, EcdhKeyRef, HashName, PrivateKeyRef, PublicKeyRef, SigAlgorithm } from "../core/crypto/provider.ts";
import { curveSize } from "../core/crypto/provider.ts";
import { installNativeSym, type NativeSym } from "../core/crypto/sym.ts";

const OSSL: Record<EcdhCurve, string> = { "P-256": "prime256v1", "P-384": "secp384r1" };
const b64u = (b: Uint8Array) => Buffer.from(b).toString("base64url");
const curveOf = (alg: SigAlgorithm): EcdhCurve => (alg === "ECDSA-P384" ? "P-384" : "P-256");

function jwk(alg: SigAlgorithm, pub: Uint8Array, secret: Uint8Array): Record<string, string> {
  if (alg === "Ed25519") return { kty: "OKP", crv: "Ed25519", x: b64u(pub), d: b64u(secret) };
  const n = curveSize(alg);
  const k: Record<string, string> = { kty: "EC", crv: curveOf(alg), x: b64u(pub.subarray(0, n)), y: b64u(pub.subarray(n)) };
  k.d = b64u(secret);
  return k;
}

/** Imported public keys kept per process, by content (a peer HI seen again — the Responder an
 * Initiator reconnects to, the peer of an association — is not imported again): an OpenSSL 3
 * key import costs more than the verification itself. Bounded, oldest first out. */
const PUBLIC_KEY_CACHE = 1024;
/** Peer DH public values kept imported (crypto-node.ts dhPeer). */
const DH_PEER_CACHE = 16;
/** Signatures that verified, by SHA-256 of (algorithm, hash, key, signature, data): the same
 * bytes verify the same way, so a hit is the verification's result. What repeats: an R1's
 * HIP_SIGNATURE_2, which leaves out the Receiver's HIT and the puzzle (RFC 7401 §5.2.15), is the
 * same for every Initiator within one R1 generation — a host reconnecting to a Responder (or
 * one process running many Initiators) verifies it once. Only successes are kept; bounded. */
const VERIFIED_CACHE = 256;

/** SubjectPublicKeyInfo DER prefixes (RFC 5480 §2: id-ecPublicKey + the curve). */
const SPKI: Partial<Record<SigAlgorithm, string>> = {
  "ECDSA-P256": "3059301306072a8648ce3d020106082a8648ce3d030107034200",
  "ECDSA-P384": "3076301006072a8648ce3d020106052b81040022036200",
};

/** A public key in OpenSSL (validated: on the curve, RFC 7401 §5.3.2). Node 20 / OpenSSL 3:
 * JWK import costs half of SPKI DER for P-256 (75 vs 136 µs CPU) but three times it for P-384
 * (600 vs 200 µs: the JWK path checks the key with a scalar multiplication). */
function importPublic(alg: SigAlgorithm, pub: Uint8Array): KeyObject {
  if (alg === "ECDSA-P384") return createPublicKey({ key: Buffer.concat([Buffer.from(SPKI[alg]!, "hex"), point(pub)]), format: "der", type: "spki" });
  return createPublicKey({ key: publicJwk(alg, pub), format: "jwk" });
}

function publicJwk(alg: SigAlgorithm, pub: Uint8Array): Record<string, string> {
  if (alg === "Ed25519") return { kty: "OKP", crv: "Ed25519", x: b64u(pub) };
  const n = curveSize(alg);
  return { kty: "EC", crv: curveOf(alg), x: b64u(pub.subarray(0, n)), y: b64u(pub.subarray(n)) };
}

function point(pub: Uint8Array): Uint8Array {
  const b = new Uint8Array(pub.length + 1);
  b[0] = 4;
  b.set(pub, 1);
  return b;
}

/** Spare ephemeral key pairs (see `prepareEphemeral`); each is used once. */
type Spare = { kind: "ecdh"; e: ReturnType<typeof createECDH> } | { kind: "ko"; privateKey: KeyObject; pub: Uint8Array };

/** The node:crypto provider, plus spare Initiator keys made ahead of time. */
export interface NodeCryptoProvider extends CryptoProvider {
  /**
   * Generate one spare ephemeral ECDH key pair of `curve` now (if there is none), for the next
   * Initiator exchange (`ephemeralEcdh`, RFC 7401 §6.8 step 12): the key generation (P-384:
   * ~1 ms of CPU) leaves the handshake. A spare taken is replaced `refillMs` later, off the
   * packet path. Keys are used once; none is ever reused.
   */
  prepareEphemeral(curve: EcdhCurve): void;
  /** Import our signing key now (OpenSSL 3: 0.1–0.2 ms from JWK) rather than at the first
   * signature, which is inside the first base exchange. */
  prepareSigner(key: PrivateKeyRef): void;
}

/** Delay before a used spare key is replaced (ms): after the exchange that took it. */
const SPARE_REFILL_MS = 200;

export function nodeCryptoProvider(): NodeCryptoProvider {
  const pubKeys = new WeakMap<Uint8Array, KeyObject>();
  const pubByContent = new Map<string, KeyObject>();
  const verified = new Set<string>();
  const privKeys = new WeakMap<Uint8Array, KeyObject>();
  const ecdhKeys = new WeakMap<Uint8Array, ReturnType<typeof createECDH>>();
  const pubOf = (k: PublicKeyRef) => {
    let o = pubKeys.get(k.pub);
    if (o) return o;
    const id = k.alg + String.fromCharCode.apply(null, k.pub as unknown as number[]);
    o = pubByContent.get(id);
    if (o) {
      pubByContent.delete(id); // most recently used last
    } else {
      o = importPublic(k.alg, k.pub);
      if (pubByContent.size >= PUBLIC_KEY_CACHE) pubByContent.delete(pubByContent.keys().next().value as string);
    }
    pubByContent.set(id, o);
    pubKeys.set(k.pub, o);
    return o;
  };
  const privOf = (k: PrivateKeyRef) => {
    let o = privKeys.get(k.secret);
    if (!o) {
      o = createPrivateKey({ key: jwk(k.alg, k.pub, k.secret), format: "jwk" });
      privKeys.set(k.secret, o);
    }
    return o;
  };
  const ecPrivate = new WeakMap<Uint8Array, KeyObject>();
  const spares = new Map<EcdhCurve, Spare>();
  const refilling = new Set<EcdhCurve>();
  const makeSpare = (curve: EcdhCurve): Spare => {
    if (curve === "P-384") {
      const k = generateKeyPairSync("ec", { namedCurve: OSSL[curve] });
      // SPKI DER ends with the uncompressed point 0x04 | x | y (exported here, off the handshake).
      return { kind: "ko", privateKey: k.privateKey, pub: new Uint8Array(k.publicKey.export({ format: "der", type: "spki" }).subarray(-2 * curveSize(curve))) };
    }
    const e = createECDH(OSSL[curve]);
    e.generateKeys();
    return { kind: "ecdh", e };
  };
  const prepareEphemeral = (curve: EcdhCurve): void => {
    if (!spares.has(curve)) spares.set(curve, makeSpare(curve));
  };
  /** A spare key if one is ready (replaced later), else a fresh one. */
  const takeKey = (curve: EcdhCurve): Spare => {
    const s = spares.get(curve);
    if (!s) return makeSpare(curve);
    spares.delete(curve);
    if (!refilling.has(curve) && typeof setTimeout === "function") {
      refilling.add(curve);
      const t = setTimeout(() => {
        refilling.delete(curve);
        prepareEphemeral(curve);
      }, SPARE_REFILL_MS);
      (t as { unref?: () => void }).unref?.();
    }
    return s;
  };
  /** The peer's DH public value as a KeyObject (the SPKI import validates the point: 0.15 ms
   * for P-384). The last few are kept by content: an Initiator meets the same R1 DH value for a
   * whole R1 generation; a Responder's fresh I2 values miss and cost one Map entry each. */
  const dhPeers = new Map<string, KeyObject>();
  const dhPeer = (curve: EcdhCurve, peer: Uint8Array): KeyObject => {
    const id = curve + String.fromCharCode.apply(null, peer as unknown as number[]);
    let o = dhPeers.get(id);
    if (o) return o;
    o = importPublic(curve === "P-384" ? "ECDSA-P384" : "ECDSA-P256", peer);
    if (dhPeers.size >= DH_PEER_CACHE) dhPeers.delete(dhPeers.keys().next().value as string);
    dhPeers.set(id, o);
    return o;
  };
  /** P-384 ECDH on KeyObjects: 1.5 ms CPU where ECDH.computeSecret takes 2.9 ms (it checks
   * the peer key with an extra scalar multiplication); the SPKI import validates the point. */
  const sharedKo = (own: KeyObject, curve: EcdhCurve, peer: Uint8Array): Uint8Array | undefined => {
    if (peer.length !== 2 * curveSize(curve)) return undefined;
    try {
      return new Uint8Array(diffieHellman({ privateKey: own, publicKey: dhPeer(curve, peer) }));
    } catch {
      return undefined;
    }
  };
  const shared = (e: ReturnType<typeof createECDH>, curve: EcdhCurve, peer: Uint8Array): Uint8Array | undefined => {
    if (peer.length !== 2 * curveSize(curve)) return undefined;
    try {
      return new Uint8Array(e.computeSecret(point(peer))); // validates the point (RFC 7401 §5.3.2)
    } catch {
      return undefined;
    }
  };
  return {
    name: "node",
    synchronous: true,
    supports: () => true,
    sign(key: PrivateKeyRef, hash: HashName, data: Uint8Array): Uint8Array {
      const k = privOf(key);
      return new Uint8Array(key.alg === "Ed25519" ? sign(null, data, k) : sign(hash.replace("-", "").toLowerCase(), data, { key: k, dsaEncoding: "ieee-p1363" }));
    },
    verify(key: PublicKeyRef, hash: HashName, data: Uint8Array, sig: Uint8Array): boolean {
      const id = createHash("sha256").update(`${key.alg}|${hash}|${key.pub.length}|${sig.length}|`).update(key.pub).update(sig).update(data).digest("base64");
      if (verified.has(id)) return true;
      let ok: boolean;
      try {
        const k = pubOf(key);
        ok = key.alg === "Ed25519" ? verify(null, data, k, sig) : verify(hash.replace("-", "").toLowerCase(), data, { key: k, dsaEncoding: "ieee-p1363" }, sig);
      } catch {
        return false;
      }
      if (ok) {
        if (verified.size >= VERIFIED_CACHE) verified.delete(verified.values().next().value as string);
        verified.add(id);
      }
      return ok;
    },
    ecdh(own: EcdhKeyRef, peer: Uint8Array): Uint8Array | undefined {
      if (own.curve === "P-384") {
        let k = ecPrivate.get(own.secret);
        if (!k) {
          k = createPrivateKey({ key: jwk("ECDSA-P384", own.pub, own.secret), format: "jwk" });
          ecPrivate.set(own.secret, k);
        }
        return sharedKo(k, own.curve, peer);
      }
      let e = ecdhKeys.get(own.secret);
      if (!e) {
        e = createECDH(OSSL[own.curve]);
        e.setPrivateKey(own.secret);
        ecdhKeys.set(own.secret, e);
      }
      return shared(e, own.curve, peer);
    },
    generateEcdh(curve: EcdhCurve): EcdhKeyRef {
      const e = createECDH(OSSL[curve]);
      e.generateKeys();
      // The scalar left-padded to the field size (a leading zero byte must not shorten it).
      const raw = e.getPrivateKey();
      const secret = new Uint8Array(curveSize(curve));
      secret.set(raw, secret.length - raw.length);
      ecdhKeys.set(secret, e);
      return { curve, secret, pub: new Uint8Array(e.getPublicKey()).slice(1) };
    },
    prepareEphemeral,
    prepareSigner: (k) => {
      privOf(k);
    },
    ephemeralEcdh(curve: EcdhCurve, _seed: Uint8Array, peer: Uint8Array) {
      if (peer.length !== 2 * curveSize(curve)) return undefined; // before a spare is spent
      const k = takeKey(curve);
      if (k.kind === "ko") {
        const kij = sharedKo(k.privateKey, curve, peer);
        return kij ? { publicValue: k.pub, kij } : undefined;
      }
      const e = k.e;
      const kij = shared(e, curve, peer);
      return kij ? { publicValue: new Uint8Array(e.getPublicKey()).slice(1), kij } : undefined;
    },
    // Symmetric primitives: @noble, as in the core (provider.ts).
    hash: (h, d) => nobleProvider.hash(h, d),
    hmac: (h, k, d) => nobleProvider.hmac(h, k, d),
    hkdf: (h, ikm, salt, info, len) => nobleProvider.hkdf(h, ikm, salt, info, len),
  };
}

/** The cores' synchronous SHA-2 / HMAC / AES-CBC (core/crypto/sym.ts) on OpenSSL: same bytes
 * as @noble, a third of the CPU per HMAC-SHA-384 of HIP's short inputs. Results are copied out
 * of Node's Buffers (no view of a pooled Buffer reaches the cores). */
export const nodeSym: NativeSym = {
  hash: (h, d) => new Uint8Array(createHash(h).update(d).digest()),
  hmac: (h, k, d) => new Uint8Array(createHmac(h, k).update(d).digest()),
  aesCbc(encrypt, key, iv, data) {
    const alg = `aes-${8 * key.length}-cbc`;
    try {
      const c = encrypt ? createCipheriv(alg, key, iv) : createDecipheriv(alg, key, iv);
      const a = c.update(data);
      const b = c.final();
      const out = new Uint8Array(a.length + b.length);
      out.set(a);
      out.set(b, a.length);
      return out;
    } catch (e) {
      if (encrypt) throw e;
      return undefined; // bad padding or length, as @noble's throw in hip/suites.ts
    }
  },
  ecPublic(curve, secret) {
    try {
      const e = createECDH(curve === "P-256" ? "prime256v1" : "secp384r1");
      e.setPrivateKey(secret);
      return new Uint8Array(e.getPublicKey()).subarray(1); // SEC1 0x04 | x | y
    } catch {
      return undefined; // not a valid scalar: @noble rejects it too
    }
  },
};

let shared: NodeCryptoProvider | undefined;

/** The provider startNodeHost uses when none is given: one per process (its key caches shared).
 * Also installs `nodeSym` for the cores' symmetric primitives (process-wide; same results). */
export function nodeCryptoDefault(): NodeCryptoProvider {
  shared ??= nodeCryptoProvider();
  installNativeSym(nodeSym);
  return shared;
}
