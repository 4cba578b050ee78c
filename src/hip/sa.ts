// Keys handed to the ESP data plane. The data plane's own SaParams (src/esp/types.ts) is being
// written in parallel; until it lands this is the shape the HIP core emits. Fields follow
// RFC 7402 (BEET mode: inner addresses are the HITs) and RFC 4303.
import type { Locator } from "../core/types.ts";

export interface SaParams {
  /** "in": we decrypt with it (SPI chosen by us); "out": we encrypt with it (SPI chosen by the peer). */
  readonly direction: "in" | "out";
  readonly spi: number;
  /** ESP transform suite ID (RFC 7402 §5.1.2). */
  readonly suite: number;
  /** Encryption key (AES-GCM: key | 4-byte salt, RFC 4106 §8.1); empty for NULL. */
  readonly encKey: Uint8Array;
  /** Integrity key; empty for AES-GCM. */
  readonly authKey: Uint8Array;
  /** Inner (BEET) addresses: source and destination HIT of packets on this SA. */
  readonly srcHit: Uint8Array;
  readonly dstHit: Uint8Array;
  /** Where outbound packets go (peer locator) / where inbound ones come from. */
  readonly peer: Locator;
  /** 64-bit extended sequence numbers are mandatory with HIP (RFC 7402 §3.3.6). */
  readonly esn: true;
}
