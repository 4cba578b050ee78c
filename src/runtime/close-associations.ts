// Closing associations from a runtime host (RFC 7401 §6.14-§6.15): CLOSE to each peer, then wait
// for its CLOSE_ACK (the core's "closed" event with reason "local") or a deadline. Used by
// TunnelHost.closeAssociation() and TunnelHost.close(), so that a peer never keeps a stale
// association after a browser / Worker host goes away.
import { hitKey } from "../hip/hit.ts";
import type { EndpointDriver } from "./driver.ts";
import type { HostStack, StackEvent } from "./stack.ts";

/** What this needs of a host: its stack, its driver and its "event" stream. */
export interface ClosingHost {
  readonly stack: HostStack;
  readonly driver: EndpointDriver;
  on(type: "event", cb: (ev: StackEvent) => void): unknown;
  off(type: "event", cb: (ev: StackEvent) => void): unknown;
}

/** Peers of the associations a CLOSE can still go to (keys agreed, not already closing). */
export function closableAssociations(stack: HostStack): Uint8Array[] {
  const out: Uint8Array[] = [];
  for (const a of stack.host.associations()) if (a.state === "ESTABLISHED" || a.state === "R2-SENT") out.push(a.peerHit);
  return out;
}

/**
 * Sends CLOSE to each of `peers` and resolves with the HITs whose close completed (CLOSE_ACK
 * received, or nothing left to close) within `waitMs`; the others are still retransmitting.
 */
export function closeAssociations(host: ClosingHost, peers: readonly Uint8Array[], waitMs: number): Promise<Uint8Array[]> {
  const waiting = new Map(peers.map((h) => [hitKey(h), h]));
  const done: Uint8Array[] = [];
  return new Promise((resolve) => {
    const finish = () => {
      clearTimeout(timer);
      host.off("event", onEvent);
      resolve(done);
    };
    const onEvent = (ev: StackEvent) => {
      if (ev.type !== "closed") return;
      const k = hitKey(ev.peerHit);
      const h = waiting.get(k);
      if (!h) return;
      waiting.delete(k);
      if (ev.reason !== "timeout") done.push(h);
      if (waiting.size === 0) finish();
    };
    const timer = setTimeout(finish, waitMs);
    host.on("event", onEvent);
    const now = host.driver.clock();
    for (const h of peers) {
      const a = host.stack.host.association(h);
      if (!a || a.state === "CLOSED") onEvent({ type: "closed", peerHit: h, reason: "local" });
      else host.stack.close(now, h);
    }
    host.driver.flush();
    if (waiting.size === 0) finish();
  });
}

/**
 * Release the host's FA lease (draft §4.4.1: a zero-lifetime FAQ) and resolve true once the FA
 * confirmed it (FaClient "released") within `waitMs`, false otherwise or without a lease. A first
 * FAQ still unanswered is waited for (within the same `waitMs`): the lease it brings is released
 * too, rather than left at the FA until it runs out.
 */
export function releaseLease(host: ClosingHost, waitMs: number): Promise<boolean> {
  const fa = host.stack.fa;
  if (!fa?.lease && !fa?.leasing) return Promise.resolve(false);
  return new Promise((resolve) => {
    const finish = (ok: boolean) => {
      clearTimeout(timer);
      host.off("event", onEvent);
      resolve(ok);
    };
    const release = () => {
      fa.release(host.driver.clock());
      host.driver.flush();
    };
    const onEvent = (ev: StackEvent) => {
      if (ev.type !== "fa") return;
      if (ev.ev.type === "released") finish(true);
      else if (ev.ev.type === "leased" && !ev.ev.renewed) release();
      else if (ev.ev.type === "refused" && !fa.lease) finish(false);
    };
    const timer = setTimeout(() => finish(false), waitMs);
    host.on("event", onEvent);
    if (fa.lease) release();
  });
}
