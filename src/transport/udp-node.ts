// Node dgram adapter: one socket per local address (multi-homing = several sockets, see
// SocketSet). IPv6 sockets are ipv6Only so each socket has exactly one address family.
import { createSocket, type Socket } from "node:dgram";
import type { Locator, Transmit } from "../core/types.ts";
import type { DatagramHandler, DatagramSocket } from "./types.ts";

/** A node:dgram UDP socket as a {@link DatagramSocket}. */
export class NodeUdpSocket implements DatagramSocket {
  sendErrors = 0;
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
      this.sendErrors++;
    });
  }

  /** Bind a UDP socket to `ip:port` (port 0 = any free port). */
  static bind(ip: string, port: number): Promise<NodeUdpSocket> {
    const v6 = ip.includes(":");
    const sock = createSocket({ type: v6 ? "udp6" : "udp4", ipv6Only: v6 });
    return new Promise((resolve, reject) => {
      const onError = (e: Error) => reject(e);
      sock.once("error", onError);
      sock.bind(port, ip, () => {
        sock.off("error", onError);
        const a = sock.address();
        resolve(new NodeUdpSocket(sock, { ip, port: a.port }));
      });
    });
  }

  send(t: Transmit): void {
    if (this.closed) {
      this.sendErrors++;
      return;
    }
    // No completion callback: Node then tries the send synchronously (no request object, no
    // closure, no completion turn per datagram); a failure comes as an "error" event (counted above).
    this.sock.send(t.data, t.to.port, t.to.ip);
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

/** Bind a UDP socket to `ip`:`port` (port 0: any). */
export function bindNodeUdp(ip: string, port: number): Promise<NodeUdpSocket> {
  return NodeUdpSocket.bind(ip, port);
}
