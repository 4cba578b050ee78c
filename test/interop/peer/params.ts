// Parameter encoders/decoders (RFC 7401 §5.2, RFC 7402 §5.1) for the interop peer.
import { concat, rd16, rd32, u16, u32 } from "./bytes.ts";
import { P, tlv } from "./packet.ts";

export const TF_ESP = P.ESP_TRANSFORM; // TRANSPORT_FORMAT_LIST entry for ESP (RFC 7402 §5.1.3? uses the param type)

/** §5.2.3 R1_COUNTER: Reserved (4) | R1 generation counter (8). */
export function r1Counter(n: bigint): Uint8Array {
  const v = new Uint8Array(12);
  new DataView(v.buffer).setBigUint64(4, n);
  return tlv(P.R1_COUNTER, v);
}

/** §5.2.4 PUZZLE: #K (1) | Lifetime (1) | Opaque (2) | Random #I (RHASH_len/8). */
export function puzzle(k: number, lifetime: number, opaque: number, i: Uint8Array): Uint8Array {
  return tlv(P.PUZZLE, concat(new Uint8Array([k, lifetime]), u16(opaque), i));
}

/** §5.2.5 SOLUTION: #K (1) | Reserved (1) | Opaque (2) | #I | #J. */
export function solution(k: number, opaque: number, i: Uint8Array, j: Uint8Array): Uint8Array {
  return tlv(P.SOLUTION, concat(new Uint8Array([k, 0]), u16(opaque), i, j));
}

/** §5.2.6 DH_GROUP_LIST: one octet per group. */
export function dhGroupList(groups: number[]): Uint8Array {
  return tlv(P.DH_GROUP_LIST, new Uint8Array(groups));
}

/** §5.2.7 DIFFIE_HELLMAN: Group ID (1) | Public Value Length (2) | Public Value. */
export function diffieHellman(group: number, pub: Uint8Array): Uint8Array {
  return tlv(P.DIFFIE_HELLMAN, concat(new Uint8Array([group]), u16(pub.length), pub));
}

/** §5.2.8 HIP_CIPHER: 2 octets per Cipher ID. */
export function hipCipher(ids: number[]): Uint8Array {
  return tlv(P.HIP_CIPHER, concat(...ids.map(u16)));
}

/** §5.2.9 HOST_ID: HI Length (2) | DI-Type (4 bits) DI Length (12 bits) | Algorithm (2) | HI | DI. */
export function hostId(hi: Uint8Array, algorithm = 7): Uint8Array {
  return tlv(P.HOST_ID, concat(u16(hi.length), u16(0), u16(algorithm), hi));
}

/** §5.2.10 HIT_SUITE_LIST: one octet per suite, the 4-bit suite ID in the high nibble. */
export function hitSuiteList(suites: number[]): Uint8Array {
  return tlv(P.HIT_SUITE_LIST, new Uint8Array(suites.map((s) => s << 4)));
}

/** §5.2.11 TRANSPORT_FORMAT_LIST: 2 octets per format (the parameter type, ESP_TRANSFORM 4095). */
export function transportFormatList(types: number[]): Uint8Array {
  return tlv(P.TRANSPORT_FORMAT_LIST, concat(...types.map(u16)));
}

/** RFC 7402 §5.1.2 ESP_TRANSFORM: Reserved (2) | Suite IDs (2 each). */
export function espTransform(suites: number[]): Uint8Array {
  return tlv(P.ESP_TRANSFORM, concat(u16(0), ...suites.map(u16)));
}

/** RFC 7402 §5.1.1 ESP_INFO: Reserved (2) | KEYMAT Index (2) | OLD SPI (4) | NEW SPI (4). */
export function espInfo(keymatIndex: number, oldSpi: number, newSpi: number): Uint8Array {
  return tlv(P.ESP_INFO, concat(u16(0), u16(keymatIndex), u32(oldSpi), u32(newSpi)));
}

/** §5.2.14/§5.2.15 HIP_SIGNATURE(_2): SIG alg (2) | Signature. */
export function signature(type: number, alg: number, sig: Uint8Array): Uint8Array {
  return tlv(type, concat(u16(alg), sig));
}

export interface HostIdView {
  hiLength: number;
  diType: number;
  diLength: number;
  algorithm: number;
  hi: Uint8Array;
  di: Uint8Array;
}

export function readHostId(v: Uint8Array): HostIdView | undefined {
  if (v.length < 6) return undefined;
  const hiLength = rd16(v, 0);
  const diType = v[2] >> 4;
  const diLength = rd16(v, 2) & 0x0fff;
  if (6 + hiLength + diLength !== v.length) return undefined;
  return { hiLength, diType, diLength, algorithm: rd16(v, 4), hi: v.slice(6, 6 + hiLength), di: v.slice(6 + hiLength) };
}

export function readU16List(v: Uint8Array, skip = 0): number[] {
  const out: number[] = [];
  for (let o = skip; o + 1 < v.length; o += 2) out.push(rd16(v, o));
  return out;
}

export function readEspInfo(v: Uint8Array) {
  return { reserved: rd16(v, 0), keymatIndex: rd16(v, 2), oldSpi: rd32(v, 4), newSpi: rd32(v, 8) };
}
