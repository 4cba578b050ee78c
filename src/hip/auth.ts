// HIP_MAC / HIP_MAC_2 / HIP_SIGNATURE / HIP_SIGNATURE_2 inputs (RFC 7401 §6.4): the packet up
// to the parameter, checksum zeroed and Header Length covering only that prefix; HIP_MAC_2
// appends the Responder's HOST_ID TLV as received in R1; HIP_SIGNATURE_2 also zeroes the
// Receiver's HIT and the PUZZLE Opaque and #I fields.
import { hmac } from "../core/crypto/sym.ts";
import { concat, ctEqual } from "../core/bytes.ts";
import { HIP_HEADER_LEN, ParamType } from "../wire/constants.ts";
import { emitPacketPrefix, type HipPacket } from "../wire/packet.ts";
import { type EchoKind, type EchoParam, type Param, paramType } from "../wire/params/index.ts";
import { tlvBytes, tlvIndex } from "../wire/tlv.ts";
import type { PeerIdentity } from "./identity.ts";

type Hash = Parameters<typeof hmac>[0];

function setLength(b: Uint8Array): Uint8Array {
  b[1] = b.length / 8 - 1;
  b[4] = 0;
  b[5] = 0;
  return b;
}

/** Received packet bytes before parameter #i, prepared for MAC / signature checks. */
export function rawPrefix(pkt: HipPacket, i: number): Uint8Array {
  const bytes = pkt.bytes!;
  const end = i < (pkt.offsets?.length ?? 0) ? pkt.offsets![i] : bytes.length;
  return setLength(bytes.slice(0, end));
}

/** The raw TLV (with padding) of received parameter #i. */
export function rawTlv(pkt: HipPacket, i: number): Uint8Array {
  return tlvBytes(pkt.bytes!, pkt.offsets![i]) ?? new Uint8Array(0);
}

/** First ECHO_* parameter of `kind` (the wire's EchoParam has a union kind). */
export function getEcho(pkt: HipPacket, kind: EchoKind): EchoParam | undefined {
  return pkt.params.find((p) => p.kind === kind) as EchoParam | undefined;
}

export function getEchos(pkt: HipPacket, kind: EchoKind): EchoParam[] {
  return pkt.params.filter((p) => p.kind === kind) as EchoParam[];
}

/** Index of the first parameter with number `type`, -1 if none. */
export function indexOfType(pkt: HipPacket, type: number): number {
  return pkt.params.findIndex((p) => paramType(p) === type);
}

/** HIP_MAC_2 input: prefix | HOST_ID TLV, Header Length including it (§6.4.1). */
export function mac2Input(prefix: Uint8Array, hostIdTlv: Uint8Array): Uint8Array {
  return setLength(concat(prefix, hostIdTlv));
}

/** HIP_SIGNATURE_2 input from a prefix: Receiver's HIT and PUZZLE Opaque / #I zeroed (§5.2.15). */
export function sig2Input(prefix: Uint8Array): Uint8Array {
  const b = prefix.slice();
  b.fill(0, 24, 40);
  const idx = tlvIndex(b, HIP_HEADER_LEN);
  const i = idx?.find(ParamType.PUZZLE) ?? -1;
  if (idx !== undefined && i >= 0 && idx.length(i) >= 4) b.fill(0, idx.valueOffset(i) + 2, idx.valueOffset(i) + idx.length(i));
  return b;
}

/** HMAC of `data` with `key` (HIP_MAC / HIP_MAC_2, RFC 7401 §5.2.12-§5.2.13). */
export function computeMac(hash: Hash, key: Uint8Array, data: Uint8Array): Uint8Array {
  return hmac(hash, key, data);
}

/** Constant-time check of `mac` against HMAC(`key`, `data`). */
export function macEquals(hash: Hash, key: Uint8Array, data: Uint8Array, mac: Uint8Array): boolean {
  return ctEqual(hmac(hash, key, data), mac);
}

/** What signs HIP_SIGNATURE(_2): a HostIdentity (`@noble`), or the core's signer on its
 * synchronous provider (HostCore.signer, Association.signer; crypto-jobs.ts InlineCrypto). */
export interface Signer {
  /** HI algorithm (§5.2.9). */
  readonly algorithm: number;
  /** Signature over `data`. */
  sign(data: Uint8Array): Uint8Array;
}

/** How to authenticate an outgoing packet: HIP_MAC / HIP_MAC_2 and / or a signature. */
export interface AuthSpec {
  /** HMAC key for HIP_MAC (or HIP_MAC_2 when `mac2HostIdTlv` is set). */
  macKey?: Uint8Array;
  /** The Responder's HOST_ID TLV: use HIP_MAC_2 over it (RFC 7401 §5.2.13). */
  mac2HostIdTlv?: Uint8Array;
  /** RHASH of the association. */
  hash: Hash;
  /** Signs with HIP_SIGNATURE (or HIP_SIGNATURE_2 with `sig2`). */
  signer?: Signer;
  /** Sign with HIP_SIGNATURE_2 (R1) instead of HIP_SIGNATURE. */
  sig2?: boolean;
}

/** Append HIP_MAC(_2) and HIP_SIGNATURE(_2) to `pkt` (whose params are ascending and end below
 * them); returns the completed packet representation. */
export function authenticate(pkt: HipPacket, spec: AuthSpec): HipPacket {
  const params: Param[] = [...pkt.params];
  const out: HipPacket = { ...pkt, params };
  if (spec.macKey) {
    let input = emitPacketPrefix(out, params.length);
    if (spec.mac2HostIdTlv) input = mac2Input(input, spec.mac2HostIdTlv);
    const mac = computeMac(spec.hash, spec.macKey, input);
    params.push({ kind: spec.mac2HostIdTlv ? "HIP_MAC_2" : "HIP_MAC", mac });
  }
  if (spec.signer) {
    let input = emitPacketPrefix(out, params.length);
    if (spec.sig2) input = sig2Input(input);
    params.push({ kind: spec.sig2 ? "HIP_SIGNATURE_2" : "HIP_SIGNATURE", algorithm: spec.signer.algorithm, signature: spec.signer.sign(input) });
  }
  return out;
}

/** Verify the received HIP_MAC / HIP_MAC_2 at its position; false if absent or wrong. */
export function verifyMac(pkt: HipPacket, hash: Hash, key: Uint8Array, mac2HostIdTlv?: Uint8Array): boolean {
  const i = indexOfType(pkt, mac2HostIdTlv ? ParamType.HIP_MAC_2 : ParamType.HIP_MAC);
  if (i < 0) return false;
  const p = pkt.params[i] as { mac: Uint8Array };
  let input = rawPrefix(pkt, i);
  if (mac2HostIdTlv) input = mac2Input(input, mac2HostIdTlv);
  return macEquals(hash, key, input, p.mac);
}

/** What verifies a peer's signature at once (crypto-jobs.ts InlineCrypto: the core's
 * synchronous provider, else `@noble`). */
export interface Verifier {
  /** True when `signature` over `data` verifies with the peer's HI. */
  verifyNow(peer: PeerIdentity, data: Uint8Array, signature: Uint8Array): boolean;
}

/** The HI's own code (`@noble`). */
const OWN_CODE: Verifier = { verifyNow: (peer, d, s) => peer.verify(d, s) };

/** Verify HIP_SIGNATURE (or HIP_SIGNATURE_2) with the peer's HI, by `verifier` (default the
 * HI's own code). */
export function verifySignature(pkt: HipPacket, peer: PeerIdentity, sig2 = false, verifier: Verifier = OWN_CODE): boolean {
  const i = indexOfType(pkt, sig2 ? ParamType.HIP_SIGNATURE_2 : ParamType.HIP_SIGNATURE);
  if (i < 0) return false;
  const p = pkt.params[i] as { algorithm: number; signature: Uint8Array };
  if (p.algorithm !== peer.algorithm) return false;
  let input = rawPrefix(pkt, i);
  if (sig2) input = sig2Input(input);
  return verifier.verifyNow(peer, input, p.signature);
}
