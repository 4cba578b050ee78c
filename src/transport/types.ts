// The datagram socket shape every transport adapter implements (Node dgram, Deno UDP,
// in-memory). Runtimes talk to sockets only through this interface.
import type { Locator, Transmit } from "../core/types.ts";
import { ipToBytes } from "../core/addr.ts";

/** Receives one datagram: its bytes, the sender, and our local locator it arrived at. */
export type DatagramHandler = (data: Uint8Array, from: Locator, to: Locator) => void;

/** A bound datagram socket (Node dgram, Deno UDP, in-memory, a tunnel). */
export interface DatagramSocket {
  /** The bound local locator (port resolved when bound to port 0). */
  readonly local: Locator;
  /** Send one datagram; `t.from` is ignored (the socket's own address is the source). */
  send(t: Transmit): void;
  /** Register the receive callback (one per socket; a later call replaces it). */
  onDatagram(cb: DatagramHandler): void;
  /** Send failures are counted, never thrown (a datagram network may drop anything). */
  readonly sendErrors: number;
  /** The same failures by error code (`EMSGSIZE`, `ENETUNREACH`…), where the transport knows it. */
  readonly sendErrorCodes?: Readonly<Record<string, number>>;
  /** Receive failures (the socket went on receiving), where the transport sees them. */
  readonly recvErrors?: number;
  /** Frames received that carry no datagram the transport understands (a tunnel's bad frames), dropped. */
  readonly badFrames?: number;
  /** Close the socket. */
  close(): Promise<void>;
}

/** `listen` locators of a host (text or Locator objects); throws on malformed text (start time, not packets). */
export function parseListen(listen: readonly (string | Locator)[]): Locator[] {
  return listen.map((l) => {
    const loc = typeof l === "string" ? parseLocator(l) : l;
    if (!loc) throw new Error(`bad listen address '${String(l)}' (want IP:PORT or [IPv6]:PORT)`);
    return loc;
  });
}

/** Parse "IP:PORT", "[IPv6]:PORT" (or bare IPv6 "::1" with `defaultPort`). The IP must be an
 *  address literal: a host name ("localhost") or a malformed address ("999.1.1.1", "127.1") is
 *  undefined here, not a base exchange that times out later. */
export function parseLocator(text: string, defaultPort?: number): Locator | undefined {
  const m = /^\[([^\]]+)\]:(\d+)$/.exec(text) ?? /^([^:[\]]+):(\d+)$/.exec(text);
  if (m) {
    const port = Number(m[2]);
    return port <= 65535 && ipToBytes(m[1]) ? { ip: m[1], port } : undefined;
  }
  if (defaultPort !== undefined && /^[0-9a-fA-F:.]+$/.test(text) && ipToBytes(text)) return { ip: text, port: defaultPort };
  return undefined;
}
