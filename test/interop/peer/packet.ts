// HIPv2 header and TLV parameters, written from RFC 7401 §5.1 / §5.2.1 (independent of src/).
//  0: Next Header (59 = IPPROTO_NONE)   1: Header Length (8-octet units, not counting the first 8)
//  2: 0 | Packet Type (7 bits)          3: Version (4) | RES (3) | 1
//  4: Checksum (16)  6: Controls (16)   8: Sender's HIT   24: Receiver's HIT   40: parameters
// TLV (§5.2.1): Type (16) | Length (16, value only) | value | padding to a multiple of 8.
import { concat, rd16, u16 } from "./bytes.ts";
import { hipChecksum } from "./checksum.ts";

export const NEXT_HEADER_NONE = 59;
export const HIP_VERSION = 2;
export const HDR_LEN = 40;

export const PT = { I1: 1, R1: 2, I2: 3, R2: 4, UPDATE: 16, NOTIFY: 17, CLOSE: 18, CLOSE_ACK: 19 } as const;

/** Parameter type numbers (RFC 7401 §5.2, RFC 7402 §5.1). */
export const P = {
  ESP_INFO: 65,
  R1_COUNTER: 129,
  PUZZLE: 257,
  SOLUTION: 321,
  DH_GROUP_LIST: 511,
  DIFFIE_HELLMAN: 513,
  HIP_CIPHER: 579,
  ENCRYPTED: 641,
  HOST_ID: 705,
  HIT_SUITE_LIST: 715,
  NOTIFICATION: 832,
  TRANSPORT_FORMAT_LIST: 2049,
  ESP_TRANSFORM: 4095,
  HIP_MAC: 61505,
  HIP_MAC_2: 61569,
  HIP_SIGNATURE_2: 61633,
  HIP_SIGNATURE: 61697,
} as const;

export const PARAM_NAME: Record<number, string> = Object.fromEntries(Object.entries(P).map(([k, v]) => [v, k]));

export interface Tlv {
  type: number;
  value: Uint8Array;
  /** Offset of the TLV in the packet. */
  offset: number;
  /** Padded size of the TLV on the wire. */
  size: number;
}

export interface Header {
  nextHeader: number;
  headerLength: number;
  packetType: number;
  version: number;
  res: number;
  fixedBits: [number, number];
  checksum: number;
  controls: number;
  senderHit: Uint8Array;
  receiverHit: Uint8Array;
}

export function tlv(type: number, value: Uint8Array): Uint8Array {
  const len = 4 + value.length;
  const out = new Uint8Array((len + 7) & ~7);
  out.set(u16(type), 0);
  out.set(u16(value.length), 2);
  out.set(value, 4);
  return out;
}

/** Build a HIP packet; checksum filled over the pseudo-header when addresses are given. */
export function buildPacket(
  packetType: number,
  senderHit: Uint8Array,
  receiverHit: Uint8Array,
  params: Uint8Array[],
  addrs?: { src: string; dst: string },
  controls = 0,
): Uint8Array {
  const body = concat(...params);
  const len = HDR_LEN + body.length;
  const pkt = new Uint8Array(len);
  pkt[0] = NEXT_HEADER_NONE;
  pkt[1] = len / 8 - 1;
  pkt[2] = packetType & 0x7f;
  pkt[3] = (HIP_VERSION << 4) | 1;
  pkt.set(u16(controls), 6);
  pkt.set(senderHit, 8);
  pkt.set(receiverHit, 24);
  pkt.set(body, HDR_LEN);
  if (addrs) pkt.set(u16(hipChecksum(pkt, addrs.src, addrs.dst)), 4);
  return pkt;
}

export function parseHeader(pkt: Uint8Array): Header {
  return {
    nextHeader: pkt[0],
    headerLength: pkt[1],
    packetType: pkt[2] & 0x7f,
    version: pkt[3] >> 4,
    res: (pkt[3] >> 1) & 7,
    fixedBits: [pkt[2] >> 7, pkt[3] & 1],
    checksum: rd16(pkt, 4),
    controls: rd16(pkt, 6),
    senderHit: pkt.slice(8, 24),
    receiverHit: pkt.slice(24, 40),
  };
}

/** Walk the TLVs; problems are reported, never thrown. */
export function parseTlvs(pkt: Uint8Array, problems: string[]): Tlv[] {
  const out: Tlv[] = [];
  let o = HDR_LEN;
  while (o < pkt.length) {
    if (o + 4 > pkt.length) {
      problems.push(`TLV header truncated at offset ${o} (RFC 7401 §5.2.1)`);
      break;
    }
    const type = rd16(pkt, o);
    const len = rd16(pkt, o + 2);
    const size = (4 + len + 7) & ~7;
    if (o + size > pkt.length) {
      problems.push(`TLV type ${type} at ${o}: length ${len} (+padding) runs past the packet end (RFC 7401 §5.2.1)`);
      break;
    }
    const pad = pkt.subarray(o + 4 + len, o + size);
    if (pad.some((x) => x !== 0)) problems.push(`TLV ${PARAM_NAME[type] ?? type}: non-zero padding bytes (RFC 7401 §5.2.1)`);
    out.push({ type, value: pkt.slice(o + 4, o + 4 + len), offset: o, size });
    o += size;
  }
  return out;
}

/** Copy of the packet bytes before `offset`, Header Length rewritten, checksum zero (RFC 7401 §6.4.1, §6.4.2). */
export function prefixFor(pkt: Uint8Array, offset: number, extra?: Uint8Array): Uint8Array {
  const body = extra ? concat(pkt.subarray(0, offset), extra) : pkt.slice(0, offset);
  body[1] = body.length / 8 - 1;
  body[4] = 0;
  body[5] = 0;
  return body;
}

/** RFC 5770 §5.3 / PROFILE §3: a HIP control datagram on UDP/10500 starts with 32 zero bits. */
export function frame(pkt: Uint8Array): Uint8Array {
  return concat(new Uint8Array(4), pkt);
}

export function isHipDatagram(d: Uint8Array): boolean {
  return d.length >= 4 && d[0] === 0 && d[1] === 0 && d[2] === 0 && d[3] === 0;
}
