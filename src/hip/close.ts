// CLOSE / CLOSE_ACK (RFC 7401 §5.3.7-§5.3.8, §6.14-§6.15) and NOTIFY (§5.3.6, §6.13).
import { sha384 } from "../core/crypto/sym.ts";
import type { Locator, Millis } from "../core/types.ts";
import { ctEqual } from "../core/bytes.ts";
import { PacketType } from "../wire/constants.ts";
import { getParam, getParams, type HipPacket } from "../wire/packet.ts";
import type { Param } from "../wire/params/index.ts";
import type { Association } from "./association.ts";
import { authenticate, getEcho, verifyMac, verifySignature } from "./auth.ts";
import { authenticateThen, verifySignatureThen } from "./auth-jobs.ts";
import type { HostCore } from "./core.ts";
import { compareHits, NULL_HIT } from "./hit.ts";
import { PeerIdentity } from "./identity.ts";
import { authLength, fits, packetLength } from "./size.ts";

export function saRemove(core: HostCore, a: Association): void {
  if (a.spiIn !== 0 && a.spiOut !== 0) core.event({ type: "sa-remove", peerHit: a.peerHit, inboundSpi: a.spiIn, outboundSpi: a.spiOut });
}

/** Local close (§6.14): CLOSE with ECHO_REQUEST_SIGNED, HIP_MAC, HIP_SIGNATURE; go to CLOSING. */
export function startClose(core: HostCore, now: Millis, a: Association): void {
  if (a.state === "CLOSING" || a.state === "CLOSED") return;
  if (a.state !== "ESTABLISHED" && a.state !== "R2-SENT") {
    // No association keys agreed yet: abandon the exchange.
    core.removeAssociation(a);
    core.event({ type: "closed", peerHit: a.peerHit, reason: "local" });
    return;
  }
  saRemove(core, a);
  const nonce = core.rng.fill(new Uint8Array(16));
  a.closeNonce = nonce;
  a.state = "CLOSING";
  a.deadline = undefined;
  const close: HipPacket = { packetType: PacketType.CLOSE, controls: 0, senderHit: core.identity.hit, receiverHit: a.peerHit, params: [{ kind: "ECHO_REQUEST_SIGNED", data: nonce }] };
  authenticateThen(core.crypto, now, close, { hash: a.rhash, macKey: a.macKeyOut }, a.local, (now, pkt) => {
    // Signed by a crypto job (asynchronous providers): the association may have gone meanwhile.
    if (!core.isLive(a) || a.state !== "CLOSING" || a.closeNonce !== nonce) return void core.count("crypto.stale");
    core.sendReliable(now, a, pkt);
  });
}

/** CLOSE from the peer: verify, answer CLOSE_ACK, go to CLOSED (Tables 4-8). */
export function handleClose(core: HostCore, now: Millis, pkt: HipPacket, from: Locator, to: Locator, a: Association | undefined): boolean {
  if (!a || a.state === "I1-SENT" || a.state === "UNASSOCIATED" || a.state === "E-FAILED" || !a.peerIdentity) return core.drop("unsolicited_close", pkt, from);
  const echo = getEcho(pkt, "ECHO_REQUEST_SIGNED");
  if (!echo) return core.drop("missing_param", pkt, from);
  if (!verifyMac(pkt, a.rhash, a.macKeyIn)) return core.drop("bad_mac", pkt, from);
  // The signature last (a crypto job on asynchronous providers; inline, it resumes at once).
  let handled = true;
  const ok = verifySignatureThen(core.crypto, now, pkt, a.peerIdentity, (now, valid) => {
    handled = valid ? closeVerified(core, now, pkt, from, to, a, echo.data) : core.drop("bad_signature", pkt, from);
  });
  return ok ? handled : core.drop("crypto_busy", pkt, from);
}

/** CLOSE authenticated: CLOSE_ACK (signed inline or by a job), and the association is CLOSED. */
function closeVerified(core: HostCore, now: Millis, pkt: HipPacket, from: Locator, to: Locator, a: Association, echo: Uint8Array): boolean {
  if (!core.isLive(a)) {
    core.count("crypto.stale"); // gone while a job checked the signature
    return false;
  }
  // Size first (§5.1): the echo plus our MAC and signature must fit in a HIP packet.
  const ackLen = packetLength([{ kind: "ECHO_RESPONSE_SIGNED", data: echo }]) + authLength(a.rhash.outputLen, core.identity.signatureLength);
  if (!fits(ackLen)) return core.drop("reply_too_large", pkt, from);
  const ack: HipPacket = { packetType: PacketType.CLOSE_ACK, controls: 0, senderHit: core.identity.hit, receiverHit: a.peerHit, params: [{ kind: "ECHO_RESPONSE_SIGNED", data: echo }] };
  authenticateThen(core.crypto, now, ack, { hash: a.rhash, macKey: a.macKeyOut }, a.local, (now, signed) => {
    core.send(now, signed, from, to);
  });
  core.count("rx.CLOSE");
  if (a.state === "CLOSED") return true;
  if (a.state !== "CLOSING") saRemove(core, a);
  a.state = "CLOSED";
  a.retransmit = undefined;
  a.deadline = now + core.cfg.closedLingerMs;
  core.event({ type: "closed", peerHit: a.peerHit, reason: "peer" });
  return true;
}

/** CLOSE_ACK (§6.15): must echo our nonce; then the association is gone. */
export function handleCloseAck(core: HostCore, now: Millis, pkt: HipPacket, from: Locator, a: Association | undefined): boolean {
  if (!a || (a.state !== "CLOSING" && a.state !== "CLOSED") || !a.peerIdentity) return core.drop("unsolicited_close_ack", pkt, from);
  const echo = getEcho(pkt, "ECHO_RESPONSE_SIGNED");
  if (!echo || !a.closeNonce || !ctEqual(echo.data, a.closeNonce)) return core.drop("bad_echo", pkt, from);
  if (!verifyMac(pkt, a.rhash, a.macKeyIn)) return core.drop("bad_mac", pkt, from);
  let handled = true;
  const ok = verifySignatureThen(core.crypto, now, pkt, a.peerIdentity, (_now, valid) => {
    if (!valid) handled = core.drop("bad_signature", pkt, from);
    else if (!core.isLive(a)) {
      core.count("crypto.stale"); // removed while a job checked the signature
      handled = false;
    }
    else {
      const wasClosing = a.state === "CLOSING";
      core.removeAssociation(a);
      core.count("rx.CLOSE_ACK");
      if (wasClosing) core.event({ type: "closed", peerHit: a.peerHit, reason: "local" });
    }
  });
  return ok ? handled : core.drop("crypto_busy", pkt, from);
}

/** NOTIFY (§6.13): informational, never changes state; signature checked when the HI is known. */
export function handleNotify(core: HostCore, now: Millis, pkt: HipPacket, from: Locator, a: Association | undefined): boolean {
  const notes = getParams(pkt, "NOTIFICATION");
  if (notes.length === 0) return core.drop("missing_param", pkt, from);
  const hostId = getParam(pkt, "HOST_ID");
  const peer = a?.peerIdentity ?? (hostId ? PeerIdentity.fromHostId(hostId.algorithm, hostId.hostIdentity) : undefined);
  // Without an association the HOST_ID must be the sender's: its HIT equals the Sender's HIT
  // (RFC 7401 §5.2.9, §6.13), else anyone's key would "verify" a NOTIFY in anyone's name.
  if (!a?.peerIdentity && hostId && (!peer || compareHits(peer.hit, pkt.senderHit) !== 0)) return core.drop("hit_mismatch", pkt, from);
  // Anyone can send NOTIFYs and each check costs a verification: budgeted (PROTOCOL §7.9).
  if (peer && !core.admitNotifyVerify(now, from.ip)) return core.drop("rate_notify", pkt, from);
  const verified = peer !== undefined && verifySignature(pkt, peer, false, core.crypto);
  if (peer && !verified) return core.drop("bad_signature", pkt, from);
  core.count(verified ? "rx.NOTIFY" : "rx.NOTIFY_unverified");
  for (const n of notes) core.event({ type: "notify", peerHit: pkt.senderHit.slice(), notifyType: n.notifyType, data: n.data, verified });
  return true;
}

/** Build a signed NOTIFY (§5.3.6); HOST_ID included when the peer may not know us yet. */
export function buildNotify(core: HostCore, peerHit: Uint8Array | undefined, notifyType: number, data: Uint8Array, withHostId: boolean): HipPacket {
  // Ascending order (§5.2.1) puts HOST_ID (705) before NOTIFICATION (832).
  const params: Param[] = [];
  if (withHostId) params.push({ kind: "HOST_ID", algorithm: core.identity.algorithm, hostIdentity: core.identity.hostId, diType: 0, domainIdentifier: new Uint8Array(0) });
  params.push({ kind: "NOTIFICATION", notifyType, data });
  return authenticate(
    { packetType: PacketType.NOTIFY, controls: 0, senderHit: core.identity.hit, receiverHit: peerHit ?? NULL_HIT, params },
    { hash: sha384, signer: core.signer },
  );
}
