// Algorithm tables: HIP_CIPHER (RFC 7401 §5.2.8) for the ENCRYPTED parameter (§5.2.18) and
// ESP transform suites the data plane implements (RFC 7402 §5.1.2; src/esp/types.ts) with their "natural" key sizes (RFC 7401 §6.5,
// RFC 7402 §7; AES-GCM draws key + 4-byte salt as RFC 4106 §8.1 says).
import { aesCbcDecrypt, aesCbcEncrypt } from "../core/crypto/sym.ts";
import { concat } from "../core/bytes.ts";
import type { Rng } from "../core/types.ts";

/** HIP_CIPHER NULL. */
export const CIPHER_NULL = 1;
/** HIP_CIPHER AES-128-CBC. */
export const CIPHER_AES_128_CBC = 2;
/** HIP_CIPHER AES-256-CBC. */
export const CIPHER_AES_256_CBC = 4;

/** Key length in bytes of a HIP_CIPHER, undefined if unsupported. */
export function hipCipherKeyLen(id: number): number | undefined {
  return id === CIPHER_NULL ? 0 : id === CIPHER_AES_128_CBC ? 16 : id === CIPHER_AES_256_CBC ? 32 : undefined;
}

/** ENCRYPTED contents after Reserved: IV | AES-CBC(PKCS#5-padded params) (§5.2.18). NULL: the params. */
export function hipEncrypt(id: number, key: Uint8Array, rng: Rng, plain: Uint8Array): Uint8Array {
  if (id === CIPHER_NULL) return plain.slice();
  const iv = rng.fill(new Uint8Array(16));
  return concat(iv, aesCbcEncrypt(key, iv, plain));
}

/** Inverse of hipEncrypt; undefined when the data does not decrypt (bad padding / length). */
export function hipDecrypt(id: number, key: Uint8Array, data: Uint8Array): Uint8Array | undefined {
  if (id === CIPHER_NULL) return data.slice();
  if (data.length < 32 || data.length % 16 !== 0) return undefined;
  return aesCbcDecrypt(key, data.subarray(0, 16), data.subarray(16));
}

/** ESP transform suite key sizes (bytes) drawn from KEYMAT for each direction. */
export interface EspSuiteKeys {
  readonly encKeyLen: number;
  readonly authKeyLen: number;
}

const ESP_SUITES: Record<number, EspSuiteKeys> = {
  1: { encKeyLen: 16, authKeyLen: 20 }, // AES-128-CBC + HMAC-SHA1-96
  7: { encKeyLen: 0, authKeyLen: 32 }, // NULL + HMAC-SHA-256-128
  8: { encKeyLen: 16, authKeyLen: 32 }, // AES-128-CBC + HMAC-SHA-256-128
  9: { encKeyLen: 32, authKeyLen: 32 }, // AES-256-CBC + HMAC-SHA-256-128
  13: { encKeyLen: 20, authKeyLen: 0 }, // AES-128-GCM, 16-octet ICV: key | salt
};

/** Key sizes of an ESP suite, undefined when the data plane does not implement it. */
export function espSuiteKeys(suite: number): EspSuiteKeys | undefined {
  return ESP_SUITES[suite];
}

/** First entry of `offered` (peer's preference order) that we also support and allow. */
export function selectFirst(offered: readonly number[], ours: readonly number[]): number | undefined {
  return offered.find((x) => ours.includes(x));
}
