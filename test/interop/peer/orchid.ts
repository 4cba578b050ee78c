// HITs as ORCHIDv2 (RFC 7343 §2) with the HIT context ID of RFC 7401 §3.2 / §5.2.10.
//   ORCHID := Prefix (28 bits, 2001:20::/28) | OGA ID (4 bits) | Encode_96(Hash(Context ID | Input))
//   Encode_96: the MIDDLE 96 bits of the hash output (RFC 7343 §2).
// For HIT suite 2 (ECDSA/SHA-384) Hash = SHA-384; Input = the Host Identity field of HOST_ID
// (RFC 7401 §3.2: ECC Curve | public key).
import { createHash } from "node:crypto";
import { concat, fromHex } from "./bytes.ts";

export const HIT_CONTEXT_ID = fromHex("F0EFF02FBFF43D0FE7930C3C6E6174EA");
export const HIT_SUITE_ECDSA_SHA384 = 2;

export function encode96(digest: Uint8Array): Uint8Array {
  const start = (digest.length * 8 - 96) / 2 / 8;
  return digest.slice(start, start + 12);
}

export function orchid(ogaId: number, hash: "sha384" | "sha256", input: Uint8Array): Uint8Array {
  const d = new Uint8Array(createHash(hash).update(concat(HIT_CONTEXT_ID, input)).digest());
  const hit = new Uint8Array(16);
  hit.set([0x20, 0x01, 0x00, 0x20 | (ogaId & 0x0f)], 0);
  hit.set(encode96(d), 4);
  return hit;
}

export function hitFromHi(hi: Uint8Array): Uint8Array {
  return orchid(HIT_SUITE_ECDSA_SHA384, "sha384", hi);
}
