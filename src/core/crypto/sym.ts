// Synchronous symmetric primitives of the protocol cores (issue 12): SHA-256 / SHA-384, HMAC
// and the AES-CBC of ENCRYPTED (RFC 7401 §5.2.18); also an identity's ECDSA public key from its
// scalar (HostIdentity.generate / fromSecretKey). @noble by default, in every runtime; a
// runtime may install a native implementation (runtime/crypto-node.ts on Node: OpenSSL, 3-4x
// less CPU per HMAC than @noble for HIP's short inputs). Pure functions with identical results:
// installing one changes the speed, never a byte (test/hip/crypto-provider.test.ts), so the
// cores stay deterministic and sans-I/O. `sha256` / `sha384` here are @noble's hash objects
// (outputLen, blockLen, create) whose direct call goes to the native hash when installed.
import { cbc } from "@noble/ciphers/aes.js";
import { hmac as nobleHmac } from "@noble/hashes/hmac.js";
import { sha256 as nobleSha256, sha384 as nobleSha384 } from "@noble/hashes/sha2.js";

export type SymHash = "sha256" | "sha384";

/** What a runtime installs; each function must return exactly what @noble returns. */
export interface NativeSym {
  hash(h: SymHash, data: Uint8Array): Uint8Array;
  hmac(h: SymHash, key: Uint8Array, data: Uint8Array): Uint8Array;
  /** AES-CBC with PKCS#7 padding (key 16 or 32 bytes); decrypt: undefined on bad padding / length. */
  aesCbc(encrypt: boolean, key: Uint8Array, iv: Uint8Array, data: Uint8Array): Uint8Array | undefined;
  /** The ECDSA public key x | y of the scalar `secret` (a HostIdentity from its private key):
   * undefined when it cannot (the caller then computes it with @noble, which also rejects an
   * invalid scalar). */
  ecPublic?(curve: "P-256" | "P-384", secret: Uint8Array): Uint8Array | undefined;
}

let native: NativeSym | undefined;

/** Install (or, with undefined, remove) the native primitives for this process. */
export function installNativeSym(n: NativeSym | undefined): void {
  native = n;
}

function wrap<H extends typeof nobleSha256 | typeof nobleSha384>(name: SymHash, h: H): H {
  const f = (data: Uint8Array) => (native ? native.hash(name, data) : h(data));
  return Object.assign(f, { outputLen: h.outputLen, blockLen: h.blockLen, create: h.create, oid: h.oid, canXOF: h.canXOF }) as unknown as H;
}

export const sha256 = wrap("sha256", nobleSha256);
export const sha384 = wrap("sha384", nobleSha384);

type Hash = Parameters<typeof nobleHmac>[0];
const NAMES = new Map<unknown, SymHash>([
  [sha256, "sha256"],
  [sha384, "sha384"],
  [nobleSha256, "sha256"],
  [nobleSha384, "sha384"],
]);

/** HMAC (RFC 2104) with `hash` (any @noble hash; SHA-256 / SHA-384 go native when installed). */
export function hmac(hash: Hash, key: Uint8Array, data: Uint8Array): Uint8Array {
  const n = native ? NAMES.get(hash) : undefined;
  return n ? native!.hmac(n, key, data) : nobleHmac(hash, key, data);
}

/** `NativeSym.ecPublic` when installed, else undefined. */
export function nativeEcPublic(curve: "P-256" | "P-384", secret: Uint8Array): Uint8Array | undefined {
  return native?.ecPublic?.(curve, secret);
}

/** AES-CBC, PKCS#7 padding. */
export function aesCbcEncrypt(key: Uint8Array, iv: Uint8Array, plain: Uint8Array): Uint8Array {
  return native ? native.aesCbc(true, key, iv, plain)! : cbc(key, iv).encrypt(plain);
}

/** Inverse of aesCbcEncrypt; undefined when the data does not decrypt (bad padding / length). */
export function aesCbcDecrypt(key: Uint8Array, iv: Uint8Array, data: Uint8Array): Uint8Array | undefined {
  if (native) return native.aesCbc(false, key, iv, data);
  try {
    return cbc(key, iv).decrypt(data);
  } catch {
    return undefined;
  }
}
