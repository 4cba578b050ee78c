// The narrow interface the mobility session needs from a HIP association. src/mobility/bind.ts
// implements it over the real HIP core; tests implement it directly.
import type { Locator } from "../core/types.ts";
import type { MmMessage } from "./types.ts";

export type OpenResult =
  | { ok: true; msg: MmMessage }
  | { ok: false; reason: "malformed" | "bad-hmac" | "bad-signature"; detail?: string };

/** What `seal` returns for an REA whose signature is not made yet (compared by identity). */
export const SIGNATURE_PENDING: Uint8Array = new Uint8Array(0);

export interface MobilityContext {
  /**
   * Builds the HIP packet (datagram payload as the transport expects it) for an REA/AC/ACR:
   * header with our HITs, the parameters, HIP_SIGNATURE over the packet up to it (REA only),
   * and the HMAC keyed with our HIP integrity key (PROFILE §2, draft §6.1.1.2).
   * {@link SIGNATURE_PENDING}: an REA whose signature a crypto job is making (asynchronous
   * providers); seal it again once the session hears it is ready (`signatureReady`).
   */
  seal(msg: MmMessage, from: Locator, to: Locator): Uint8Array;
  /** Parses and verifies (checksum, HITs, HMAC with the peer's key, signature with its HI). */
  open(data: Uint8Array, from: Locator, to: Locator): OpenResult;
  /**
   * SPIs of the association: ours for receiving on `interfaceId` (per-interface SA, §4.5) or
   * in general, the peer's (we send with it), and the KEYMAT index of the inbound SA.
   */
  spis(interfaceId?: number): { inbound: number; outbound: number; keymatIndex?: number };
}
