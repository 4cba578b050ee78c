// A base exchange that does not complete in time (RuntimeHost.connect, TunnelHost.connect): the
// wait is checked like every setting, and the error says how far the exchange got, since a
// Responder drops an I1 for a HIT that is not its own without a word (RFC 7401 §5.3.1).
import { intSetting } from "../core/settings.ts";
import { type Locator, locatorKey } from "../core/types.ts";
import { hitToString } from "../hip/hit.ts";
import type { HostStack } from "./stack.ts";

/** `connect`'s `timeoutMs`: an integer of milliseconds, 1 to 2^31 − 1 (undefined: `def`). */
export function connectTimeoutMs(v: number | undefined, def: number): number {
  return intSetting("connect: timeoutMs", v, def, 1, 2 ** 31 - 1);
}

/** The error of a base exchange with `peer` still not done after `ms`. */
export function connectTimedOut(stack: HostStack, peer: Locator, peerHit: Uint8Array | undefined, ms: number): Error {
  const state = peerHit && stack.host.association(peerHit)?.state;
  const why =
    state === "I2-SENT"
      ? "an R1 came back, no R2 (the peer refused our I2, or it was lost)"
      : state === "I1-SENT" || state === undefined
        ? `no R1 came back (nothing listens there${peerHit ? ", or the peer there has another HIT: I1s for another HIT are dropped" : ""})`
        : `the association is ${state}`;
  return new Error(`base exchange with ${peerHit ? hitToString(peerHit) : "any HIT"} at ${locatorKey(peer)} timed out after ${ms} ms: ${why}`);
}
