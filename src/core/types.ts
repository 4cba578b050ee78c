// Types shared by every layer of the sans-I/O stack. Nothing here touches sockets,
// clocks or randomness: time and random bytes are always passed in.

/** Milliseconds on a clock chosen by the caller (virtual time in the simulator). */
export type Millis = number;

/** A transport address: IP (textual IPv4 "192.0.2.1" or IPv6 "2001:db8::1") and UDP port. */
export interface Locator {
  /** IP address text. */
  readonly ip: string;
  /** UDP port. */
  readonly port: number;
}

/** One datagram to put on the wire. `from` selects the local locator (multi-homing). */
export interface Transmit {
  /** Destination. */
  readonly to: Locator;
  /** Local source locator (default: whichever socket the runtime picks). */
  readonly from?: Locator;
  /** The datagram bytes. */
  readonly data: Uint8Array;
}

/** Randomness is injected. Implementations: crypto.getRandomValues, or a seeded PRNG in tests. */
export interface Rng {
  /** Fill `buf` with random bytes and return it. */
  fill(buf: Uint8Array): Uint8Array;
}

/** Default HIP-over-UDP port (PROFILE §3, RFC 5770). */
export const HIP_UDP_PORT = 10500;

/** Text key of a locator: "ip:port", "[ipv6]:port". */
export function locatorKey(l: Locator): string {
  return l.ip.includes(":") ? `[${l.ip}]:${l.port}` : `${l.ip}:${l.port}`;
}

/** The unspecified address of either family (RFC 4291 §2.5.2, RFC 1122 §3.2.1.3): a wildcard
 *  bind, never an address to reach a host at. */
export function isUnspecified(ip: string): boolean {
  return ip === "0.0.0.0" || ip === "::" || ip === "::0" || ip === "0:0:0:0:0:0:0:0";
}

/** True when both locators have the same IP text and port. */
export function sameLocator(a: Locator, b: Locator): boolean {
  return a.port === b.port && a.ip === b.ip;
}
