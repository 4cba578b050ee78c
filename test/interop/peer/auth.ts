// Signature and MAC coverage (RFC 7401 §5.2.12–§5.2.15, §6.4.1, §6.4.2).
// All of them cover a copy of the packet up to (excluding) the MAC/signature parameter, with the
// Header Length rewritten for that copy and the checksum zero.
// - HIP_SIGNATURE_2 (R1, §5.2.15): additionally the Receiver's HIT, PUZZLE Opaque and Random #I are zero.
// - HIP_MAC_2 (R2, §5.2.13, §6.4.1): the sender's HOST_ID parameter is appended to the copy.
import { concat } from "./bytes.ts";
import { hmac } from "./kex.ts";
import { P, prefixFor, type Tlv, tlv } from "./packet.ts";

export function sigInput(pkt: Uint8Array, sigOffset: number): Uint8Array {
  return prefixFor(pkt, sigOffset);
}

export function sig2Input(pkt: Uint8Array, sigOffset: number, tlvs: Tlv[]): Uint8Array {
  const c = prefixFor(pkt, sigOffset);
  c.fill(0, 24, 40);
  const pz = tlvs.find((t) => t.type === P.PUZZLE && t.offset < sigOffset);
  if (pz) c.fill(0, pz.offset + 4 + 2, pz.offset + pz.size); // Opaque (2) and #I (and padding, zero anyway)
  return c;
}

export function macInput(pkt: Uint8Array, macOffset: number): Uint8Array {
  return prefixFor(pkt, macOffset);
}

export function mac2Input(pkt: Uint8Array, macOffset: number, hostIdTlv: Uint8Array): Uint8Array {
  return prefixFor(pkt, macOffset, hostIdTlv);
}

export function macParam(type: number, key: Uint8Array, input: Uint8Array): Uint8Array {
  return tlv(type, hmac(key, input));
}

/** Append a parameter to a packet under construction (Header Length updated; checksum later). */
export function withParam(pkt: Uint8Array, param: Uint8Array): Uint8Array {
  const out = concat(pkt, param);
  out[1] = out.length / 8 - 1;
  return out;
}
