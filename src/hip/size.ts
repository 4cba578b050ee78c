// Sizes of packets we are about to build, known before any state changes (smoltcp style:
// buffer_len() before emit()). RFC 7401 §5.1: a HIP packet is at most HIP_MAX_PACKET_LEN bytes.
import { HIP_HEADER_LEN, HIP_MAX_PACKET_LEN } from "../wire/constants.ts";
import { emitParam, type Param } from "../wire/params/index.ts";

/** Header + the TLVs of `params` (with padding). */
export function packetLength(params: readonly Param[]): number {
  let n = HIP_HEADER_LEN;
  for (const p of params) n += emitParam(p).length;
  return n;
}

/** HIP_MAC (or HIP_MAC_2) of `macLen` bytes plus HIP_SIGNATURE of `sigLen` bytes, as TLVs. */
export function authLength(macLen: number | undefined, sigLen: number | undefined): number {
  let n = 0;
  if (macLen !== undefined) n += emitParam({ kind: "HIP_MAC", mac: new Uint8Array(macLen) }).length;
  if (sigLen !== undefined) n += emitParam({ kind: "HIP_SIGNATURE", algorithm: 0, signature: new Uint8Array(sigLen) }).length;
  return n;
}

/** True when a packet of `len` bytes can be emitted. */
export function fits(len: number): boolean {
  return len <= HIP_MAX_PACKET_LEN;
}

/** Upper bound of the I2 answering R1 `r1` (the params handleR1 builds, initiator.ts). */
export function i2LengthBound(o: {
  r1: { params: readonly Param[] };
  dhPublicLen: number;
  randomILen: number;
  hostIdTlvLen: number;
  encrypt: boolean;
  macLen: number;
  sigLen: number;
}): number {
  const fixed: Param[] = [
    { kind: "ESP_INFO", keymatIndex: 0, oldSpi: 0, newSpi: 0 },
    { kind: "R1_COUNTER", counter: 0n },
    { kind: "SOLUTION", k: 0, opaque: 0, randomI: new Uint8Array(o.randomILen), solutionJ: new Uint8Array(o.randomILen) },
    { kind: "DIFFIE_HELLMAN", groupId: 0, publicValue: new Uint8Array(o.dhPublicLen) },
    { kind: "HIP_CIPHER", ciphers: [0] },
    { kind: "TRANSPORT_FORMAT_LIST", formats: [0] },
    { kind: "ESP_TRANSFORM", suites: [0] },
  ];
  // ENCRYPTED: IV (≤ 16) + the HOST_ID TLV padded to the block (≤ 16 more).
  if (o.encrypt) fixed.push({ kind: "ENCRYPTED", ivAndData: new Uint8Array(o.hostIdTlvLen + 32) });
  let n = packetLength(fixed) + (o.encrypt ? 0 : o.hostIdTlvLen) + authLength(o.macLen, o.sigLen);
  for (const p of o.r1.params) {
    if (p.kind === "ECHO_REQUEST_SIGNED") n += emitParam({ kind: "ECHO_RESPONSE_SIGNED", data: p.data }).length;
    if (p.kind === "ECHO_REQUEST_UNSIGNED") n += emitParam({ kind: "ECHO_RESPONSE_UNSIGNED", data: p.data }).length;
  }
  return n;
}
