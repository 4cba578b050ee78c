// What each association is doing now, for applications: HIP state, the path ESP takes (mobility's
// data path, draft §3.3; without mobility the base exchange's locators), the SA pair, when the
// peer was last heard. RuntimeHost.peers() / TunnelHost.peers(); the API's Host.associations()
// and Association.info(). Read only: asking changes nothing (no path is marked in use).
import type { Locator, Millis } from "../core/types.ts";
import type { Association } from "../hip/association.ts";
import type { HipState } from "../hip/types.ts";
import type { HostStack } from "./stack.ts";

/** The two ends of the path ESP takes to a peer. */
export interface PeerPath {
  /** Our locator (the source of what we send). */
  local: Locator;
  /** The peer's locator (where we send). */
  peer: Locator;
}

/** One association as an application sees it (`peerInfos`). */
export interface PeerInfo {
  /** The peer's HIT (16 bytes). */
  peerHit: Uint8Array;
  /** HIP state (RFC 7401 §4.4.2): "ESTABLISHED" once data flows; "I1-SENT" … while it comes up. */
  state: HipState;
  /** True when we started the base exchange. */
  initiator: boolean;
  /** Where ESP to the peer goes now: our locator and the peer's. Undefined while there is none
   *  (every path failed, or the exchange is not done). */
  path: PeerPath | undefined;
  /** Our inbound SPI and the peer's (outbound) of the SA pair in use; 0 before the base exchange completed. */
  spiIn: number;
  /** The peer's SPI, ESP to it carries (0 before the base exchange completed). */
  spiOut: number;
  /** ESP transform suite (RFC 7402 §5.1.2; 13 = AES-GCM-16), 0 before one was chosen. */
  espSuite: number;
  /** Milliseconds since the last authenticated packet (ESP or HIP) from the peer, or since the
   *  association was made when none came yet. */
  heardMsAgo: number | undefined;
}

/** The info of association `a` at `now` ({@link PeerInfo}). */
export function peerInfo(stack: HostStack, a: Association, now: Millis): PeerInfo {
  const session = stack.mobility?.session(a.peerHit);
  const p = session ? session.path : a.localLocator && { from: a.localLocator, to: a.peerLocator };
  return {
    peerHit: a.peerHit.slice(),
    state: a.state,
    initiator: a.initiator,
    path: p ? { local: { ...p.from }, peer: { ...p.to } } : undefined,
    spiIn: a.spiIn,
    spiOut: a.spiOut,
    espSuite: a.espSuite,
    heardMsAgo: a.lastRxAt === undefined ? undefined : Math.max(0, Math.round(now - a.lastRxAt)),
  };
}

/** Whether an application sees `a`: not a CLOSED one (it lingers only to answer a repeated CLOSE). */
const shown = (a: Association): boolean => a.state !== "CLOSED" && a.state !== "UNASSOCIATED";

/** Every association the host holds but the closed ones. */
export function peerInfos(stack: HostStack, now: Millis): PeerInfo[] {
  const out: PeerInfo[] = [];
  for (const a of stack.host.associations()) if (shown(a)) out.push(peerInfo(stack, a, now));
  return out;
}

/** The association with `peerHit` as {@link peerInfos} lists it, if any. */
export function peerInfoOf(stack: HostStack, peerHit: Uint8Array, now: Millis): PeerInfo | undefined {
  const a = stack.host.association(peerHit);
  return a && shown(a) ? peerInfo(stack, a, now) : undefined;
}
