// FAQ / FAA / FAD and the FA's R1 (draft §5.1, §6.1.3, §6.2, §6.3; PROFILE §2):
//   FAQ  = FA_INFO, [SOLUTION], HOST_ID, HIP_SIGNATURE         (always signed, §5.1)
//   FAA  = FA_INFO, HOST_ID, HIP_SIGNATURE
//   FAD  = FA_INFO, HOST_ID, NOTIFICATION(reason), HIP_SIGNATURE
//   R1   = PUZZLE, HOST_ID, HIP_SIGNATURE_2  (a challenge only: no base exchange follows, so
//          no DH/cipher lists; HIP_SIGNATURE_2 is computed with the Receiver's HIT, #I and
//          Opaque zeroed as RFC 7401 §5.2.15 says, so one signed R1 per #K is reused).
// HIP_SIGNATURE covers the packet up to the signature parameter (PROFILE §2).
import { equalBytes } from "../../core/bytes.ts";
import { PacketType } from "../../wire/constants.ts";
import type { Err } from "../../wire/error.ts";
import { emitPacket, emitPacketPrefix, type HipPacket } from "../../wire/packet.ts";
import type { FaAddress, FaInfoParam, HostIdParam, Param, PuzzleParam, SolutionParam } from "../../wire/params/index.ts";
import { PacketView } from "../../wire/view.ts";
import { hitFromHostId } from "../../hip/hit.ts";
import { type HostIdentity, PeerIdentity } from "../../hip/identity.ts";
import type { Signer, Verifier } from "../../hip/auth.ts";

export interface FaqFields {
  requestId: number;
  /** 0 = new lease. */
  leaseId: number;
  /** Seconds; 0 = "empty" for a new lease, release for an existing one. */
  lifetime: number;
  /** 0 = either. */
  addrType: 0 | 4 | 6;
  /** SPIs wanted with addr type 4 (0 = FA default): sent as Min SPI 0, Max SPI n - 1. */
  spis: number;
}

function hostIdParam(id: PeerIdentity): HostIdParam {
  return { kind: "HOST_ID", algorithm: id.algorithm, hostIdentity: id.hostId, diType: 0, domainIdentifier: new Uint8Array(0) };
}

/** `params` + HIP_SIGNATURE(_2) by `id` (made by `signer`: e.g. node:crypto, hip/crypto-jobs.ts
 * InlineCrypto; default the identity's `@noble` code), as a packet representation. */
function signedPacket(id: HostIdentity, type: number, receiverHit: Uint8Array, params: Param[], sigKind: "HIP_SIGNATURE" | "HIP_SIGNATURE_2", signer: Signer = id): HipPacket {
  const pkt: HipPacket = { packetType: type, controls: 0, senderHit: id.hit, receiverHit, params };
  const signature = signer.sign(emitPacketPrefix(pkt, params.length));
  return { ...pkt, params: [...params, { kind: sigKind, algorithm: id.algorithm, signature }] };
}

function signed(id: HostIdentity, type: number, receiverHit: Uint8Array, params: Param[], sigKind: "HIP_SIGNATURE" | "HIP_SIGNATURE_2", signer?: Signer): Uint8Array {
  return emitPacket(signedPacket(id, type, receiverHit, params, sigKind, signer));
}

export function faqAddress(f: FaqFields): FaAddress {
  if (f.addrType === 4) return { addrType: 4, minSpi: 0, maxSpi: Math.max(0, f.spis - 1), ip: "0.0.0.0" };
  if (f.addrType === 6) return { addrType: 6, ip: "::" };
  return { addrType: 0 };
}

/** The FAQ as a packet representation (for HipHost.send). */
export function buildFaqPacket(id: HostIdentity, faHit: Uint8Array, f: FaqFields, solution?: SolutionParam, signer?: Signer): HipPacket {
  const pkt = unsignedFaq(id, faHit, f, solution);
  return signedPacket(id, PacketType.FAQ, faHit, pkt.params, "HIP_SIGNATURE", signer);
}

/** The FAQ up to its HIP_SIGNATURE; `emitPacketPrefix(pkt, pkt.params.length)` is what the
 *  signature covers, and {@link withFaqSignature} completes it (a signature made by a crypto job). */
export function unsignedFaq(id: HostIdentity, faHit: Uint8Array, f: FaqFields, solution?: SolutionParam): HipPacket {
  const info: FaInfoParam = { kind: "FA_INFO", requestId: f.requestId, leaseId: f.leaseId, leaseDuration: f.lifetime, port: 0, address: faqAddress(f) };
  const params: Param[] = solution ? [info, solution, hostIdParam(id)] : [info, hostIdParam(id)];
  return { packetType: PacketType.FAQ, controls: 0, senderHit: id.hit, receiverHit: faHit, params };
}

/** `unsignedFaq(…)` with its HIP_SIGNATURE. */
export function withFaqSignature(pkt: HipPacket, algorithm: number, signature: Uint8Array): HipPacket {
  return { ...pkt, params: [...pkt.params, { kind: "HIP_SIGNATURE", algorithm, signature }] };
}

export function buildFaq(id: HostIdentity, faHit: Uint8Array, f: FaqFields, solution?: SolutionParam): Uint8Array {
  return emitPacket(buildFaqPacket(id, faHit, f, solution));
}

export function buildFaa(fa: HostIdentity, hostHit: Uint8Array, info: FaInfoParam, signer?: Signer): Uint8Array {
  return signed(fa, PacketType.FAA, hostHit, [info, hostIdParam(fa)], "HIP_SIGNATURE", signer);
}

export function buildFad(fa: HostIdentity, hostHit: Uint8Array, requestId: number, leaseId: number, reason: number, message: string, signer?: Signer): Uint8Array {
  const info: FaInfoParam = { kind: "FA_INFO", requestId, leaseId, leaseDuration: 0, port: 0, address: { addrType: 0 } };
  const note: Param = { kind: "NOTIFICATION", notifyType: reason, data: new TextEncoder().encode(message.slice(0, 200)) };
  return signed(fa, PacketType.FAD, hostHit, [info, hostIdParam(fa), note], "HIP_SIGNATURE", signer);
}

/** A signed R1 template for #K with Receiver's HIT, Opaque and #I zero (RFC 7401 §5.2.15). */
export function buildR1Template(fa: HostIdentity, k: number, lifetime: number, iLen: number, signer?: Signer): Uint8Array {
  const puzzle: PuzzleParam = { kind: "PUZZLE", k, lifetime, opaque: 0, randomI: new Uint8Array(iLen) };
  return signed(fa, PacketType.R1, new Uint8Array(16), [puzzle, hostIdParam(fa)], "HIP_SIGNATURE_2", signer);
}

/** Fill a copy of an R1 template for one receiver: HIT, Opaque and #I (the PUZZLE is the first parameter). */
export function fillR1(template: Uint8Array, receiverHit: Uint8Array, opaque: number, randomI: Uint8Array): Uint8Array {
  const out = template.slice();
  out.set(receiverHit, 24);
  // PUZZLE TLV at 40: Type(2) Length(2) #K(1) Lifetime(1) Opaque(2) #I
  out[46] = opaque >> 8;
  out[47] = opaque & 0xff;
  out.set(randomI, 48);
  return out;
}

/** A parsed, signature-checked FA packet (FAQ, FAA, FAD) or R1. */
export interface SignedFaPacket {
  view: PacketView;
  packetType: number;
  senderHit: Uint8Array;
  receiverHit: Uint8Array;
  peer: PeerIdentity;
  info?: FaInfoParam;
  solution?: SolutionParam;
  puzzle?: PuzzleParam;
  notifyType?: number;
  notifyText?: string;
}

export type VerifyError = { code: "MALFORMED" | "BAD_SIGNATURE"; message: string; wire?: Err };

/** Parse + check HOST_ID ↔ sender HIT and the signature (by `verifier`: hip/crypto-jobs.ts
 *  InlineCrypto; default the HI's own `@noble` code). `checkSig` false skips only the signature
 *  (used to look at a packet before deciding to spend CPU on it). */
export function parseFaPacket(bytes: Uint8Array, checkSig = true, verifier?: Verifier): { ok: true; value: SignedFaPacket } | { ok: false; error: VerifyError } {
  const v = PacketView.parse(bytes);
  if (!v.ok) return { ok: false, error: { code: "MALFORMED", message: v.error.message, wire: v } };
  const view = v.value;
  const type = view.packetType;
  const sender = view.bytes.subarray(8, 24);
  const hid = view.param("HOST_ID");
  if (!hid?.ok) return bad("MALFORMED", "HOST_ID missing or malformed");
  const peer = PeerIdentity.fromHostId(hid.value.algorithm, hid.value.hostIdentity);
  if (!peer) return bad("MALFORMED", "unsupported or invalid Host Identity");
  const hit = hitFromHostId(peer.hitSuite, peer.hostId);
  if (!hit || !equalBytes(hit, sender)) return bad("MALFORMED", "sender HIT does not belong to HOST_ID");
  const out: SignedFaPacket = { view, packetType: type, senderHit: sender.slice(), receiverHit: view.bytes.slice(24, 40), peer };
  if (type === PacketType.R1) {
    const pz = view.param("PUZZLE");
    if (!pz?.ok) return bad("MALFORMED", "R1 without PUZZLE");
    out.puzzle = pz.value;
  } else {
    const info = view.param("FA_INFO");
    if (!info?.ok) return bad("MALFORMED", info ? info.error.message : "FA_INFO missing");
    out.info = info.value;
    const sol = view.param("SOLUTION");
    if (sol && !sol.ok) return bad("MALFORMED", sol.error.message);
    if (sol?.ok) out.solution = sol.value;
    const note = view.param("NOTIFICATION");
    if (note?.ok) {
      out.notifyType = note.value.notifyType;
      out.notifyText = new TextDecoder().decode(note.value.data);
    }
  }
  if (checkSig && !verifySignature(out, verifier)) return bad("BAD_SIGNATURE", "signature does not verify");
  return { ok: true, value: out };
}

/** HIP_SIGNATURE (or HIP_SIGNATURE_2 for R1, with the fields it excludes zeroed). */
export function verifySignature(p: SignedFaPacket, verifier?: Verifier): boolean {
  const s = faSignatureInput(p);
  if (!s) return false;
  return verifier ? verifier.verifyNow(p.peer, s.data, s.signature) : p.peer.verify(s.data, s.signature);
}

/** What `p`'s HIP_SIGNATURE(_2) covers, and its value; undefined when missing or malformed
 *  (verifySignature's false). For a verification by crypto job (fa/client). */
export function faSignatureInput(p: SignedFaPacket): { data: Uint8Array; signature: Uint8Array } | undefined {
  const r1 = p.packetType === PacketType.R1;
  const i = p.view.find(r1 ? "HIP_SIGNATURE_2" : "HIP_SIGNATURE");
  if (i < 0) return undefined;
  const sig = p.view.paramAt(i);
  if (!sig.ok || sig.value.kind !== (r1 ? "HIP_SIGNATURE_2" : "HIP_SIGNATURE")) return undefined;
  const prefix = p.view.prefix(i);
  if (r1) {
    prefix.fill(0, 24, 40);
    const pz = p.view.find("PUZZLE");
    if (pz !== 0) return undefined;
    prefix.fill(0, 46, 48 + (p.puzzle?.randomI.length ?? 0));
  }
  return { data: prefix, signature: (sig.value as { signature: Uint8Array }).signature };
}

function bad(code: VerifyError["code"], message: string): { ok: false; error: VerifyError } {
  return { ok: false, error: { code, message } };
}
