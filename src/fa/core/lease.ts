// An address lease held by a Forwarding Agent (draft-nikander-hip-mm-00 §4.4.1, §6.3).
// Plain data so that every store (memory, SQLite, Redis) can hold it.
import type { Locator, Millis } from "../../core/types.ts";

/** FA_INFO "Addr type" (PROFILE §2): 4 = shared IPv4 locator + SPI range, 6 = dedicated IPv6 locator. */
export type AddrType = 4 | 6;

/** SPI ranges are handed out in aligned blocks of 2^SPI_BLOCK_SHIFT SPIs, so the ESP demultiplexer
 *  is a single Map lookup by `spi >>> SPI_BLOCK_SHIFT`. */
export const SPI_BLOCK_SHIFT = 4;
export const SPI_BLOCK = 1 << SPI_BLOCK_SHIFT;

/** One address lease held by the Forwarding Agent (draft §4.4.1, §5.1). */
export interface Lease {
  /** The leasing host's HIT, 32 lowercase hex digits. */
  readonly hit: string;
  /** FA_INFO Lease ID (16 bits), unique per HIT at one FA. */
  readonly leaseId: number;
  /** Address type: 4 (shared IPv4 locator with SPI range) or 6 (dedicated locator). */
  readonly addrType: AddrType;
  /** The leased locator on the FA (shared IPv4 or dedicated IPv6). */
  readonly locator: Locator;
  /** Reserved SPI range (addr type 4), inclusive, block aligned; 0/0 for addr type 6. */
  readonly spiMin: number;
  /** Last SPI of the range (inclusive). */
  readonly spiMax: number;
  /** Absolute expiry on the FA's clock (wall clock in the server, so it survives restarts). */
  expires: Millis;
  /** The expiry granted by the first FAA: renewals never shorten below it (§4.4.1). */
  readonly firstExpiry: Millis;
  /** The host's current locator: forwarded packets go there (or into its tunnel). */
  host: Locator;
  /** True when the host is reached through a tunnel (WebSocket) keyed by its HIT. */
  tunnel: boolean;
  /** FA_INFO Request ID of the last FAQ applied: a repeat is answered again, an older one
   *  (a replay) is ignored. */
  requestId: number;
  /** When the lease was created (ms, FA clock). */
  readonly created: Millis;
  /** Fleet (docs/PROTOCOL.md §13): the FA node that holds the host (its tunnel, or the node the
   *  host last sent through); packets reaching another node go there. Unset outside a fleet. */
  node?: string;
  /** Fleet (docs/PROTOCOL.md §13.2): the shared store's change counter when this state was
   *  written, increasing across the whole fleet; caches apply only newer versions. Unset for
   *  stores that are not shared. */
  version?: number;
}

/** Lowercase hex of a 16-byte HIT at `off` in `b`. */
export function hitHex(b: Uint8Array, off = 0): string {
  let s = "";
  for (let i = off; i < off + 16; i++) s += (b[i] < 16 ? "0" : "") + b[i].toString(16);
  return s;
}

/** 16 HIT bytes at `off` equal the lowercase hex `h`, without allocating. */
export function hitEquals(b: Uint8Array, off: number, h: string): boolean {
  if (h.length !== 32 || off + 16 > b.length) return false;
  for (let i = 0; i < 16; i++) {
    const v = b[off + i];
    if (hexDigit(h.charCodeAt(2 * i)) !== v >> 4 || hexDigit(h.charCodeAt(2 * i + 1)) !== (v & 15)) return false;
  }
  return true;
}

/** A 48-bit numeric key from the last 6 bytes of a HIT (the hash part of the ORCHID). */
export function hitKeyBytes(b: Uint8Array, off: number): number {
  const o = off + 10;
  return (b[o] * 0x10000 + b[o + 1] * 0x100 + b[o + 2]) * 0x1000000 + ((b[o + 3] << 16) | (b[o + 4] << 8) | b[o + 5]);
}

/** Same key from the hex form. */
export function hitKeyHex(h: string): number {
  return Number.parseInt(h.slice(20, 32), 16);
}

function hexDigit(c: number): number {
  if (c >= 48 && c <= 57) return c - 48;
  if (c >= 97 && c <= 102) return c - 87;
  return -1;
}
