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

/** How far an exchange in `state` got, for an error message (`solvingK`: the R1's puzzle being solved). */
function howFar(state: string | undefined, peerHit: Uint8Array | undefined, solvingK?: number): string {
  if (solvingK !== undefined) return `an R1 came back; its puzzle (#K ${solvingK}, about 2^${solvingK} hashes, the peer's choice) is still being solved`;
  if (state === "I2-SENT") return "an R1 came back, no R2 (the peer refused our I2, or it was lost)";
  if (state === "I1-SENT" || state === undefined) return `no R1 came back (nothing listens there${peerHit ? ", or the peer there has another HIT: I1s for another HIT are dropped" : ""})`;
  return `the association is ${state}`;
}

const whom = (peer: Locator, peerHit: Uint8Array | undefined) => `${peerHit ? hitToString(peerHit) : "any HIT"} at ${locatorKey(peer)}`;

/** The error of a base exchange with `peer` still not done after `ms`. */
export function connectTimedOut(stack: HostStack, peer: Locator, peerHit: Uint8Array | undefined, ms: number): Error {
  const a = peerHit && stack.host.association(peerHit);
  return new Error(`base exchange with ${whom(peer, peerHit)} timed out after ${ms} ms: ${howFar(a ? a.state : undefined, peerHit, a ? a.solvingK : undefined)}`);
}

/** The error of a base exchange the core gave up (`failed` event: `reason`, in `state`). */
export function connectFailed(peer: Locator, peerHit: Uint8Array | undefined, reason: string, state: string | undefined): Error {
  // Retransmissions ran out: say how far it got, as for connectTimedOut.
  const detail = reason === "timeout" ? ` (with ${whom(peer, peerHit)}, retransmissions ran out: ${howFar(state, peerHit)})` : "";
  return new Error(`base exchange failed: ${reason}${detail}`);
}
