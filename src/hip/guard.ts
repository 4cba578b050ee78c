// Hostile-input rules of HipHost (host.ts) that are not packet processing proper (issue 9):
// unknown critical parameters (RFC 7401 §5.2.1), the conditions for answering with NOTIFY,
// and the UAL idle sweep (RFC 7401 §4.4.2).
import type { Locator, Millis } from "../core/types.ts";
import { NotifyType, PacketType } from "../wire/constants.ts";
import { checkCritical, checkDuplicates, type HipPacket } from "../wire/packet.ts";
import { emitParam, type Param } from "../wire/params/index.ts";
import type { Association } from "./association.ts";
import { verifyMac } from "./auth.ts";
import type { HostCore } from "./core.ts";
import { authLength, packetLength } from "./size.ts";

/**
 * §5.2.1 for every packet type, extension packets (REA/AC/ACR, FA) and UPDATE included:
 * repeated non-repeatable parameters are dropped (`drop.malformed`); an unknown critical
 * parameter stops processing (`drop.unknown_critical`). NOTIFY UNSUPPORTED_CRITICAL_PARAMETER_TYPE
 * (a MAY in §5.2.1) goes only to a packet whose HIP_MAC verified with the association's keys
 * (R2, UPDATE, CLOSE, CLOSE_ACK): a signed reply is never made for unauthenticated input, so an
 * I2 (whose MAC needs a Diffie-Hellman first), I1, R1, NOTIFY and the extension packets (HMAC,
 * PROFILE §2) are dropped silently. Returns false when the packet is dropped.
 */
export function checkParams(core: HostCore, now: Millis, pkt: HipPacket, from: Locator, a: Association | undefined): boolean {
  const dup = checkDuplicates(pkt);
  if (!dup.ok) return core.drop("malformed", pkt, from, dup.error.code, dup.error.offset);
  const crit = checkCritical(pkt);
  if (crit.ok) return true;
  const t = Number(crit.error.field);
  if (a && macVerifies(pkt, a)) return core.notifyAndDrop(now, a, pkt, from, NotifyType.UNSUPPORTED_CRITICAL_PARAMETER_TYPE, "unknown_critical", new Uint8Array([t >> 8, t & 0xff]));
  return core.drop("unknown_critical", pkt, from, crit.error.code, crit.error.offset);
}

/** HIP_MAC (HIP_MAC_2 in R2) of a packet of association `a`, checked with its inbound key. */
function macVerifies(pkt: HipPacket, a: Association): boolean {
  if (!a.keymat || a.macKeyIn.length === 0) return false;
  const t = pkt.packetType;
  if (t === PacketType.R2) return a.state === "I2-SENT" && a.peerHostIdTlv !== undefined && verifyMac(pkt, a.rhash, a.macKeyIn, a.peerHostIdTlv);
  if (t === PacketType.UPDATE || t === PacketType.CLOSE || t === PacketType.CLOSE_ACK) return verifyMac(pkt, a.rhash, a.macKeyIn);
  return false;
}

/** Exact length of the NOTIFY buildNotify() would make (before it signs anything). */
export function notifyLength(core: HostCore, notifyType: number, data: Uint8Array, withHostId: boolean): number {
  const params: Param[] = [];
  if (withHostId) params.push({ kind: "HOST_ID", algorithm: core.identity.algorithm, hostIdentity: core.identity.hostId, diType: 0, domainIdentifier: new Uint8Array(0) });
  params.push({ kind: "NOTIFICATION", notifyType, data });
  return packetLength(params) + authLength(undefined, core.identity.signatureLength);
}

/** Length of the emitted HOST_ID TLV of our identity (for size checks). */
export function ownHostIdLength(core: HostCore): number {
  return emitParam({ kind: "HOST_ID", algorithm: core.identity.algorithm, hostIdentity: core.identity.hostId, diType: 0, domainIdentifier: new Uint8Array(0) }).length;
}

/** An association that has keys and counts for UAL (RFC 7401 §4.4.2): R2-SENT or ESTABLISHED. */
export function ualApplies(a: Association): boolean {
  return a.state === "R2-SENT" || a.state === "ESTABLISHED";
}

/** The instant `a` becomes idle under UAL, if it can. */
export function ualDeadline(a: Association, ualIdleMs: Millis): Millis | undefined {
  if (ualIdleMs <= 0 || !ualApplies(a) || a.lastRxAt === undefined) return undefined;
  return Math.max(a.lastRxAt, a.lastTxAt ?? a.lastRxAt) + ualIdleMs;
}
