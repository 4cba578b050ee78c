// Host Identity Tags: ORCHIDv2 (RFC 7343 §2) with the HIP context ID (RFC 7401 §3.2).
//   ORCHID := Prefix (28 bits, 2001:20::/28) | OGA ID (4 bits = HIT suite) | Encode_96(Hash(Context ID | Input))
// Encode_96 takes the *middle* 96 bits of the hash output (RFC 7343 §2). The Input is the
// Host Identity field of HOST_ID (RFC 7401 §3.2, §5.2.9); the hash is the HIT suite's (§5.2.10).
// HIT suite 5 (EdDSA/cSHAKE128) uses the variable-length XOF instead (RFC 9374 §3.5.2,
// §3.5.2.1): Hash = cSHAKE128(X = Host Identity field, L = 96, N = "", S = Context ID), taken
// whole (no Encode_96); Prefix and OGA ID stay outside the hash for HIPv2 HITs.
import { sha1 } from "@noble/hashes/legacy.js";
import { sha256, sha384 } from "../core/crypto/sym.ts";
import { cshake128 } from "@noble/hashes/sha3-addons.js";
import { bytesToIp, ipToBytes } from "../core/addr.ts";
import { concat, hex } from "../core/bytes.ts";

/** RFC 7401 §3.2: HIT context ID 0xF0EF F02F BFF4 3D0F E793 0C3C 6E61 74EA. */
export const HIT_CONTEXT_ID = new Uint8Array([
  0xf0, 0xef, 0xf0, 0x2f, 0xbf, 0xf4, 0x3d, 0x0f, 0xe7, 0x93, 0x0c, 0x3c, 0x6e, 0x61, 0x74, 0xea,
]);

/** HIT length in bytes. */
export const HIT_LEN = 16;

/** RFC 7343 §2: the ORCHIDv2 prefix 2001:20::/28 (first 28 bits). */
const ORCHID_PREFIX = [0x20, 0x01, 0x00, 0x20];

/** HIT suite 5, EdDSA/cSHAKE128 (RFC 9374 §3.4.2). */
export const HIT_SUITE_CSHAKE128 = 5;

/** Fixed-length hash function of a HIT suite (RFC 7401 §5.2.10 Table 10); undefined for
 * suite 5, whose XOF is used through `orchidHash`. */
export function hitSuiteHash(suite: number): ((m: Uint8Array) => Uint8Array) | undefined {
  switch (suite) {
    case 1:
      return (m) => sha256(m);
    case 2:
      return (m) => sha384(m);
    case 3:
      return (m) => sha1(m);
    default:
      return undefined;
  }
}

/** RFC 7343 §2 Encode_96: the middle 96 bits of the hash (all our hashes are byte aligned). */
export function encode96(hash: Uint8Array): Uint8Array {
  const start = (hash.length * 8 - 96) / 2 / 8;
  return hash.slice(start, start + 12);
}

/** The 96-bit hash part of an ORCHID for `ogaId`: Encode_96(Hash(Context ID | Input)) for
 * fixed-length hashes (RFC 7343 §2), cSHAKE128(Input, 96, "", Context ID) for suite 5
 * (RFC 9374 §3.5.2.1). */
export function orchidHash(ogaId: number, contextId: Uint8Array, input: Uint8Array): Uint8Array | undefined {
  if (ogaId === HIT_SUITE_CSHAKE128) return cshake128(input, { personalization: contextId, dkLen: 12 });
  const h = hitSuiteHash(ogaId);
  return h ? encode96(h(concat(contextId, input))) : undefined;
}

/** ORCHIDv2 for one OGA ID and input, hashed with the OGA's hash. */
export function orchid(ogaId: number, contextId: Uint8Array, input: Uint8Array): Uint8Array | undefined {
  if (ogaId < 1 || ogaId > 15) return undefined;
  const hash = orchidHash(ogaId, contextId, input);
  if (!hash) return undefined;
  const out = new Uint8Array(HIT_LEN);
  out.set(ORCHID_PREFIX);
  out[3] |= ogaId & 0x0f;
  out.set(hash, 4);
  return out;
}

/** HIT of a Host Identity field (RFC 7401 §3.2), for HIT suite `suite`. */
export function hitFromHostId(suite: number, hostIdentity: Uint8Array): Uint8Array | undefined {
  return orchid(suite, HIT_CONTEXT_ID, hostIdentity);
}

/** True if `hit` carries the ORCHIDv2 prefix 2001:20::/28. */
export function isHit(hit: Uint8Array): boolean {
  return hit.length === HIT_LEN && hit[0] === 0x20 && hit[1] === 0x01 && hit[2] === 0x00 && (hit[3] & 0xf0) === 0x20;
}

/** The OGA ID (= HIT suite, RFC 7401 §3.1) of a HIT. */
export function hitSuiteOf(hit: Uint8Array): number {
  return hit[3] & 0x0f;
}

/** The all-zero HIT of opportunistic mode (RFC 7401 §4.1.8). */
export const NULL_HIT = new Uint8Array(HIT_LEN);

/** True for the all-zero (NULL) HIT. */
export function isNullHit(hit: Uint8Array): boolean {
  for (let i = 0; i < hit.length; i++) if (hit[i] !== 0) return false;
  return true;
}

/** Numeric comparison of two HITs as unsigned 128-bit integers (RFC 7401 §6.5): <0, 0, >0. */
export function compareHits(a: Uint8Array, b: Uint8Array): number {
  for (let i = 0; i < HIT_LEN; i++) if (a[i] !== b[i]) return a[i] - b[i];
  return 0;
}

/** HIT in IPv6 text form (RFC 5952), e.g. "2001:2a:...". */
export function hitToString(hit: Uint8Array): string {
  return bytesToIp(hit);
}

/** Parse a HIT from IPv6 text; undefined unless it is an ORCHIDv2 address. */
export function hitFromString(text: string): Uint8Array | undefined {
  const b = ipToBytes(text);
  return b && isHit(b) ? b : undefined;
}

// The last few 16-byte HITs keyed (copies, compared byte by byte): the ESP fast path looks the
// same peers up several times per packet, and handing back the same string object lets Map
// lookups reuse its cached hash instead of building and hashing 32 characters each time.
const KEY_CACHE = 8;
const cachedHits: Uint8Array[] = [];
const cachedKeys: string[] = [];
let cacheNext = 0;

/** Map key for a HIT (hex). */
export function hitKey(hit: Uint8Array): string {
  if (hit.length === 16) {
    for (let j = 0; j < cachedHits.length; j++) {
      const c = cachedHits[j];
      if (
        c[15] === hit[15] && c[14] === hit[14] && c[13] === hit[13] && c[12] === hit[12] && c[11] === hit[11] &&
        c[10] === hit[10] && c[9] === hit[9] && c[8] === hit[8] && c[7] === hit[7] && c[6] === hit[6] &&
        c[5] === hit[5] && c[4] === hit[4] && c[3] === hit[3] && c[2] === hit[2] && c[1] === hit[1] && c[0] === hit[0]
      ) {
        return cachedKeys[j];
      }
    }
  }
  const s = hex(hit); // flat: the key outlives the call in every map keyed by HIT
  if (hit.length === 16) {
    const j = cachedHits.length < KEY_CACHE ? cachedHits.length : cacheNext++ % KEY_CACHE;
    cachedHits[j] = hit.slice();
    cachedKeys[j] = s;
  }
  return s;
}
