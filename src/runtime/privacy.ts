// Location privacy by construction (draft §3.2; issue 11 item 4; docs/PROTOCOL.md §9.1). With
// `fa.privacy` no datagram a peer receives carries one of our own addresses:
// - a base exchange waits for the FAA and runs from the leased locator (its I1 leaves in a relay
//   frame through the FA): `connect` holds it until then (bounded, counted `connectsHeld`);
// - a datagram that reaches one of our own addresses directly (a peer that knew it) is handled
//   as if it had arrived at the leased locator, so every answer leaves through the FA (counted
//   `privacyDirect`); before the lease it is dropped;
// - the last gate: a Transmit to anyone but an FA is withheld (counted `privacyDrops`), here for
//   the stack's output and in `guardSockets` for everything a runtime sends (NAT keepalives too).
// REAs name only the leased locator (FaClient.announced, hidden interfaces) and a move renews
// the lease from the new address at once (FaClient.setFrom). Sans-I/O except guardSockets.
import type { Locator, Transmit } from "../core/types.ts";
import type { FaClient } from "../fa/client/client.ts";

/** Base exchanges waiting for the lease, at most this many (the oldest is dropped). */
const MAX_HELD = 64;

export class PrivateFa {
  private readonly held: { peer: Locator; peerHit?: Uint8Array }[] = [];

  constructor(readonly fa: FaClient) {}

  get on(): boolean {
    return this.fa.privacy;
  }

  /** The source of a base exchange: the leased locator; undefined = hold it until the FAA. */
  connectFrom(peer: Locator, peerHit: Uint8Array | undefined, from: Locator | undefined): { from?: Locator } | undefined {
    if (!this.on) return { from };
    const l = this.fa.lease;
    if (l) return { from: l.locator };
    if (this.held.length >= MAX_HELD) this.held.shift();
    this.held.push(peerHit ? { peer, peerHit } : { peer });
    this.fa.counters.connectsHeld++;
    return undefined;
  }

  /** Held base exchanges, to start now that the lease is there. */
  takeHeld(): { peer: Locator; peerHit?: Uint8Array; from: Locator }[] {
    const l = this.fa.lease;
    if (!l) return [];
    return this.held.splice(0).map((h) => ({ ...h, from: l.locator }));
  }

  /** A datagram not in a relay frame, received at our `to`: where to treat it as received
   *  (the leased locator under privacy), or undefined to drop it. */
  inbound(from: Locator, to: Locator): Locator | undefined {
    if (!this.on || this.fa.isFa(from)) return to;
    this.fa.counters.privacyDirect++;
    return this.fa.lease?.locator;
  }

  /** The last gate: under privacy only datagrams to an FA leave. */
  outbound(t: Transmit | undefined): Transmit | undefined {
    if (!t || !this.on || this.fa.allows(t.to)) return t;
    this.fa.counters.privacyDrops++;
    return undefined;
  }
}

/** Wrap a socket set's `send` so that, under privacy, nothing but datagrams to an FA leaves. */
export function guardSockets(sockets: { send(t: Transmit): Locator | undefined }, p: PrivateFa): void {
  if (!p.on) return;
  const send = sockets.send.bind(sockets);
  sockets.send = (t: Transmit) => (p.outbound(t) ? send(t) : undefined);
}

