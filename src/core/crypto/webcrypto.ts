// The WebCrypto provider (provider.ts): globalThis.crypto.subtle — OpenSSL in Node 20 and Deno,
// BoringSSL in Chromium and workerd. 10-20x faster than @noble for ECDSA and ECDH (issue 12),
// but every call is a Promise (~30-40 µs awaited in Node), so the cores use it through crypto
// jobs only. Imported CryptoKeys are cached per key array (WeakMap, freed with the key). An
// algorithm the runtime lacks (Ed25519 in older browsers) is detected once and reported by
// supports(); the caller falls back to @noble for it. ECDSA signatures are randomized here
// (no RFC 6979 in WebCrypto): both providers verify each other's signatures (test/hip).
import type { CryptoProvider, EcdhCurve, EcdhKeyRef, HashName, MaybePromise, PrivateKeyRef, PublicKeyRef, SigAlgorithm } from "./provider.ts";
import { sha256 } from "./sym.ts";
import { curveSize } from "./provider.ts";

type Subtle = SubtleCrypto;
/** TypeScript 5.7 types WebCrypto inputs as ArrayBuffer-backed views. */
const bs = (b: Uint8Array): BufferSource => b as Uint8Array<ArrayBuffer>;

function b64url(b: Uint8Array): string {
  let s = "";
  for (const x of b) s += String.fromCharCode(x);
  return btoa(s).replace(/\+/g, "-").replace(/\//g, "_").replace(/=+$/, "");
}

function ecJwk(curve: EcdhCurve, pub: Uint8Array, secret?: Uint8Array): JsonWebKey {
  const n = curveSize(curve);
  const jwk: JsonWebKey = { kty: "EC", crv: curve, x: b64url(pub.subarray(0, n)), y: b64url(pub.subarray(n, 2 * n)), ext: false };
  if (secret) jwk.d = b64url(secret);
  return jwk;
}

function point(pub: Uint8Array): Uint8Array {
  const b = new Uint8Array(pub.length + 1);
  b[0] = 4;
  b.set(pub, 1);
  return b;
}

const ED_PKCS8_PREFIX = Uint8Array.from([0x30, 0x2e, 0x02, 0x01, 0x00, 0x30, 0x05, 0x06, 0x03, 0x2b, 0x65, 0x70, 0x04, 0x22, 0x04, 0x20]);
const curveOf = (alg: SigAlgorithm): EcdhCurve => (alg === "ECDSA-P384" ? "P-384" : "P-256");

/** One imported CryptoKey per key array (and per usage), computed once. */
class KeyCache {
  private readonly m = new WeakMap<Uint8Array, Map<string, Promise<CryptoKey>>>();
  get(k: Uint8Array, usage: string, make: () => Promise<CryptoKey>): Promise<CryptoKey> {
    let per = this.m.get(k);
    if (!per) {
      per = new Map();
      this.m.set(k, per);
    }
    let p = per.get(usage);
    if (!p) {
      p = make();
      per.set(usage, p);
      // A key that failed to import is not cached (the next use fails the same way, not stuck).
      p.catch(() => per?.delete(usage));
    }
    return p;
  }
}

export class WebCryptoProvider implements CryptoProvider {
  readonly name = "webcrypto";
  private readonly keys = new KeyCache();

  private constructor(
    private readonly subtle: Subtle,
    private readonly have: ReadonlySet<string>,
  ) {}

  /** Probe the runtime: undefined without crypto.subtle; per-algorithm support otherwise. */
  static async create(subtle: Subtle | undefined = globalThis.crypto?.subtle): Promise<WebCryptoProvider | undefined> {
    if (!subtle) return undefined;
    const have = new Set<string>();
    const probe = async (name: string, f: () => Promise<unknown>) => {
      try {
        await f();
        have.add(name);
      } catch {
        // not available in this runtime: @noble is used for it
      }
    };
    await Promise.all([
      probe("ECDSA-P256", () => subtle.generateKey({ name: "ECDSA", namedCurve: "P-256" }, false, ["sign"])),
      probe("ECDSA-P384", () => subtle.generateKey({ name: "ECDSA", namedCurve: "P-384" }, false, ["sign"])),
      probe("P-256", () => subtle.generateKey({ name: "ECDH", namedCurve: "P-256" }, false, ["deriveBits"])),
      probe("P-384", () => subtle.generateKey({ name: "ECDH", namedCurve: "P-384" }, false, ["deriveBits"])),
      probe("Ed25519", () => subtle.generateKey({ name: "Ed25519" } as Algorithm, false, ["sign"]) as Promise<unknown>),
    ]);
    return new WebCryptoProvider(subtle, have);
  }

  supports(alg: SigAlgorithm | EcdhCurve): boolean {
    return this.have.has(alg);
  }

  private signKey(key: PrivateKeyRef): Promise<CryptoKey> {
    return this.keys.get(key.secret, "sign", () =>
      key.alg === "Ed25519"
        ? this.subtle.importKey("pkcs8", bs(concat(ED_PKCS8_PREFIX, key.secret)), { name: "Ed25519" }, false, ["sign"])
        : this.subtle.importKey("jwk", ecJwk(curveOf(key.alg), key.pub, key.secret), { name: "ECDSA", namedCurve: curveOf(key.alg) }, false, ["sign"]),
    );
  }

  private verifyKey(key: PublicKeyRef): Promise<CryptoKey> {
    return this.keys.get(key.pub, "verify", () =>
      key.alg === "Ed25519"
        ? this.subtle.importKey("raw", bs(key.pub), { name: "Ed25519" }, false, ["verify"])
        : this.subtle.importKey("raw", bs(point(key.pub)), { name: "ECDSA", namedCurve: curveOf(key.alg) }, false, ["verify"]),
    );
  }

  async sign(key: PrivateKeyRef, hash: HashName, data: Uint8Array): Promise<Uint8Array> {
    const k = await this.signKey(key);
    const alg = key.alg === "Ed25519" ? { name: "Ed25519" } : { name: "ECDSA", hash };
    return new Uint8Array(await this.subtle.sign(alg, k, bs(data)));
  }

  /** A signature that verified before (same key, hash, data and signature) answers true at
   * once, without a Promise: an R1's HIP_SIGNATURE_2 is the same for every Initiator within one
   * R1 generation (RFC 7401 §5.2.15), so a reconnecting host verifies it once. */
  verify(key: PublicKeyRef, hash: HashName, data: Uint8Array, signature: Uint8Array): MaybePromise<boolean> {
    const id = verifiedId(key, hash, data, signature);
    if (this.verified.has(id)) return true;
    return this.verifyAsync(key, hash, data, signature).then((ok) => {
      if (ok) {
        if (this.verified.size >= VERIFIED_CACHE) this.verified.delete(this.verified.values().next().value as string);
        this.verified.add(id);
      }
      return ok;
    });
  }

  private readonly verified = new Set<string>();

  private async verifyAsync(key: PublicKeyRef, hash: HashName, data: Uint8Array, signature: Uint8Array): Promise<boolean> {
    try {
      const k = await this.verifyKey(key);
      const alg = key.alg === "Ed25519" ? { name: "Ed25519" } : { name: "ECDSA", hash };
      return await this.subtle.verify(alg, k, bs(signature), bs(data));
    } catch {
      return false;
    }
  }

  private ecdhKey(own: EcdhKeyRef): Promise<CryptoKey> {
    return this.keys.get(own.secret, "ecdh", () => this.subtle.importKey("jwk", ecJwk(own.curve, own.pub, own.secret), { name: "ECDH", namedCurve: own.curve }, false, ["deriveBits"]));
  }

  private async derive(own: CryptoKey, curve: EcdhCurve, peerPublic: Uint8Array): Promise<Uint8Array | undefined> {
    if (peerPublic.length !== 2 * curveSize(curve)) return undefined;
    try {
      // importKey validates the point (on the curve, not infinity): RFC 7401 §5.3.2.
      const peer = await this.subtle.importKey("raw", bs(point(peerPublic)), { name: "ECDH", namedCurve: curve }, false, []);
      return new Uint8Array(await this.subtle.deriveBits({ name: "ECDH", public: peer } as EcdhKeyDeriveParams, own, 8 * curveSize(curve)));
    } catch {
      return undefined;
    }
  }

  async ecdh(own: EcdhKeyRef, peerPublic: Uint8Array): Promise<Uint8Array | undefined> {
    let k: CryptoKey;
    try {
      k = await this.ecdhKey(own);
    } catch {
      return undefined;
    }
    return this.derive(k, own.curve, peerPublic);
  }

  /** The seed is not used: OpenSSL draws the key (a WebCrypto key cannot be derived from bytes). */
  async generateEcdh(curve: EcdhCurve, _seed: Uint8Array): Promise<EcdhKeyRef> {
    const kp = (await this.subtle.generateKey({ name: "ECDH", namedCurve: curve }, true, ["deriveBits"])) as CryptoKeyPair;
    const jwk = await this.subtle.exportKey("jwk", kp.privateKey);
    const pub = new Uint8Array(await this.subtle.exportKey("raw", kp.publicKey)).slice(1);
    const secret = fromB64url(jwk.d ?? "");
    this.keys.get(secret, "ecdh", () => Promise.resolve(kp.privateKey));
    return { curve, pub, secret };
  }

  async ephemeralEcdh(curve: EcdhCurve, _seed: Uint8Array, peerPublic: Uint8Array): Promise<{ publicValue: Uint8Array; kij: Uint8Array } | undefined> {
    // The private key never leaves OpenSSL (not extractable); only its public value is exported.
    const kp = (await this.subtle.generateKey({ name: "ECDH", namedCurve: curve }, false, ["deriveBits"])) as CryptoKeyPair;
    const [pub, kij] = await Promise.all([this.subtle.exportKey("raw", kp.publicKey), this.derive(kp.privateKey, curve, peerPublic)]);
    return kij ? { publicValue: new Uint8Array(pub).slice(1), kij } : undefined;
  }

  async hash(hash: HashName, data: Uint8Array): Promise<Uint8Array> {
    return new Uint8Array(await this.subtle.digest(hash, bs(data)));
  }

  async hmac(hash: HashName, key: Uint8Array, data: Uint8Array): Promise<Uint8Array> {
    const k = await this.subtle.importKey("raw", bs(key), { name: "HMAC", hash }, false, ["sign"]);
    return new Uint8Array(await this.subtle.sign("HMAC", k, bs(data)));
  }

  async hkdf(hash: HashName, ikm: Uint8Array, salt: Uint8Array, info: Uint8Array, length: number): Promise<Uint8Array> {
    const k = await this.subtle.importKey("raw", bs(ikm), "HKDF", false, ["deriveBits"]);
    return new Uint8Array(await this.subtle.deriveBits({ name: "HKDF", hash, salt: bs(salt), info: bs(info) } as HkdfParams, k, 8 * length));
  }
}

/** Signatures that verified, kept per provider (successes only). */
const VERIFIED_CACHE = 256;

/** SHA-256 of what a verification depends on, as a string key. */
function verifiedId(key: PublicKeyRef, hash: HashName, data: Uint8Array, sig: Uint8Array): string {
  const head = new TextEncoder().encode(`${key.alg}|${hash}|${key.pub.length}|${sig.length}|`);
  const all = new Uint8Array(head.length + key.pub.length + sig.length + data.length);
  all.set(head);
  all.set(key.pub, head.length);
  all.set(sig, head.length + key.pub.length);
  all.set(data, head.length + key.pub.length + sig.length);
  return String.fromCharCode.apply(null, sha256(all) as unknown as number[]);
}

function concat(a: Uint8Array, b: Uint8Array): Uint8Array {
  const o = new Uint8Array(a.length + b.length);
  o.set(a);
  o.set(b, a.length);
  return o;
}

function fromB64url(s: string): Uint8Array {
  const bin = atob(s.replace(/-/g, "+").replace(/_/g, "/"));
  return Uint8Array.from(bin, (c) => c.charCodeAt(0));
}
