// Node dgram adapter: one socket per local address (multi-homing = several sockets, see
// SocketSet). IPv6 sockets are ipv6Only so each socket has exactly one address family.
import { createSocket, type Socket } from "node:dgram";
import { lookup } from "node:dns";
import { isIP } from "node:net";
import type { Locator, Transmit } from "../core/types.ts";
import type { DatagramHandler, DatagramSocket } from "./types.ts";

/**
 * Receive buffer asked of the kernel for every socket (SO_RCVBUF; Linux caps it at
 * net.core.rmem_max, 4 MiB here). The usual 208 KiB holds ≈ 90 datagrams of 1400 B, ≈ 1.5 ms of a
 * 60k packets/s ESP stream: a Worker batch of 64 sealed packets sent at once while the receiver
 * is busy overflowed it (`RcvbufErrors`). UDP transports ask for several MiB for the same reason.
 */
export const DEFAULT_RECV_BUFFER = 4 * 1024 * 1024;

/** Options of {@link bindNodeUdp}. */
export interface NodeUdpOptions {
  /** SO_RCVBUF to ask for (default DEFAULT_RECV_BUFFER; never lowered below the kernel's default; 0 = leave it). */
  recvBufferSize?: number;
}

type LookupDone = (e: Error | null, address: string, family: number) => void;
/** The last destination looked up and its address family (0: not a literal). */
let lastHost = "";
let lastFamily = 0;

/**
 * node:dgram resolves the destination of every send through `lookup`; the default (dns.lookup)
 * answers an IP literal on the next tick: a closure, a nextTick and a second pass through the
 * event loop's tick queue per datagram. Our destinations are always literals (Locator.ip), so
 * answer at once; a name still goes to dns.lookup. Measured: ≈ 1.5 µs less CPU per datagram and
 * 6 % more packets/s in the worker-io ESP stream (bench/udp-esp-prof.ts).
 * @internal exported for its test
 */
export function literalLookup(host: string, opts: unknown, cb?: unknown): void {
  const done = (typeof opts === "function" ? opts : cb) as LookupDone;
  if (host !== lastHost) {
    lastHost = host; // a stream goes to one peer: isIP's regular expression once, not per datagram
    lastFamily = isIP(host);
  }
  const family = lastFamily;
  if (family !== 0) done(null, host, family);
  else lookup(host, typeof opts === "function" ? {} : (opts as object), done as never);
}

/** A node:dgram UDP socket as a {@link DatagramSocket}. */
export class NodeUdpSocket implements DatagramSocket {
  /** Datagrams the kernel refused (and sends after close). */
  sendErrors = 0;
  /** Refused sends by error code (e.g. `EMSGSIZE`, `ENETUNREACH`). */
  readonly sendErrorCodes: Record<string, number> = {};
  /** Receive failures: node:dgram reports a failed recvmsg as an "error" event (send failures go to the send callback). */
  recvErrors = 0;
  private readonly sent = (e: Error | null): void => {
    if (!e) return;
    this.sendErrors++;
    const code = (e as { code?: string }).code ?? "error";
    this.sendErrorCodes[code] = (this.sendErrorCodes[code] ?? 0) + 1;
  };
  private handler: DatagramHandler | undefined;
  private closed = false;

  private constructor(
    private readonly sock: Socket,
    readonly local: Locator,
  ) {
    sock.on("message", (msg, rinfo) => {
      // Hand out a plain Uint8Array view (no Buffer semantics beyond this adapter).
      const data = new Uint8Array(msg.buffer, msg.byteOffset, msg.byteLength);
      this.handler?.(data, { ip: rinfo.address, port: rinfo.port }, this.local);
    });
    sock.on("error", () => {
      this.recvErrors++;
    });
  }

  /** Bind a UDP socket to `ip:port` (port 0 = any free port). */
  static bind(ip: string, port: number, opts: NodeUdpOptions = {}): Promise<NodeUdpSocket> {
    const v6 = ip.includes(":");
    const sock = createSocket({ type: v6 ? "udp6" : "udp4", ipv6Only: v6, lookup: literalLookup });
    return new Promise((resolve, reject) => {
      const onError = (e: Error) => reject(e);
      sock.once("error", onError);
      sock.bind(port, ip, () => {
        sock.off("error", onError);
        raiseRecvBuffer(sock, opts.recvBufferSize ?? DEFAULT_RECV_BUFFER);
        const a = sock.address();
        resolve(new NodeUdpSocket(sock, { ip, port: a.port }));
      });
    });
  }

  /** The kernel's receive buffer of this socket in bytes (Linux reports twice what was set). */
  get recvBufferSize(): number {
    return this.sock.getRecvBufferSize();
  }

  send(t: Transmit): void {
    if (this.closed) {
      this.sendErrors++;
      return;
    }
    // One completion callback per socket (no closure per datagram): node:dgram reports a failed
    // send (EMSGSIZE, ENETUNREACH, EADDRNOTAVAIL after an address went, EPERM from a firewall…)
    // only to it; without one the failure is silently lost (no "error" event; measured on Node 20).
    this.sock.send(t.data, t.to.port, t.to.ip, this.sent);
  }

  onDatagram(cb: DatagramHandler): void {
    this.handler = cb;
  }

  /** Node-only: don't keep the event loop alive for this socket. */
  unref(): void {
    this.sock.unref();
  }

  close(): Promise<void> {
    if (this.closed) return Promise.resolve();
    this.closed = true;
    return new Promise((resolve) => this.sock.close(() => resolve()));
  }
}

/** Ask for a receive buffer of `want` bytes (SO_RCVBUF) unless the socket has that much already;
 *  0 or a refusal (above net.core.rmem_max on some platforms) leaves it as it is. */
export function raiseRecvBuffer(sock: Socket, want: number): void {
  if (!(want > 0)) return;
  try {
    if (sock.getRecvBufferSize() < want) sock.setRecvBufferSize(want);
  } catch {
    // Refused (e.g. above the platform's maximum): the default buffer stays.
  }
}

/** Bind a UDP socket to `ip`:`port` (port 0: any). */
export function bindNodeUdp(ip: string, port: number, opts: NodeUdpOptions = {}): Promise<NodeUdpSocket> {
  return NodeUdpSocket.bind(ip, port, opts);
}
