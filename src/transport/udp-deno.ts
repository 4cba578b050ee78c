// Deno UDP adapter over Deno.listenDatagram (needs `--unstable-net --allow-net`). The Deno
// global is typed minimally here, so no Deno type package is needed.
import type { Locator, Transmit } from "../core/types.ts";
import type { DatagramHandler, DatagramSocket } from "./types.ts";

interface DenoNetAddr {
  transport: "udp";
  hostname: string;
  port: number;
}
interface DenoDatagramConn {
  readonly addr: DenoNetAddr;
  send(data: Uint8Array, addr: DenoNetAddr): Promise<number>;
  receive(buf?: Uint8Array): Promise<[Uint8Array, DenoNetAddr]>;
  close(): void;
}
interface DenoNamespace {
  listenDatagram(opts: { transport: "udp"; hostname: string; port: number }): DenoDatagramConn;
}

function deno(): DenoNamespace {
  const d = (globalThis as { Deno?: DenoNamespace }).Deno;
  if (!d || typeof d.listenDatagram !== "function") throw new Error("udp-deno: Deno.listenDatagram unavailable (run deno with --unstable-net)");
  return d;
}

/** A Deno UDP socket (`Deno.listenDatagram`, needs --unstable-net) as a {@link DatagramSocket}. */
export class DenoUdpSocket implements DatagramSocket {
  sendErrors = 0;
  /** Receive calls that failed while the socket was open (each retried after 1 ms). */
  recvErrors = 0;
  readonly local: Locator;
  private handler: DatagramHandler | undefined;
  private closed = false;
  private readonly loop: Promise<void>;

  private constructor(private readonly conn: DenoDatagramConn) {
    this.local = { ip: conn.addr.hostname, port: conn.addr.port };
    this.loop = this.receiveLoop();
  }

  /** Bind `ip:port` (port 0 = any free port). */
  static bind(ip: string, port: number): DenoUdpSocket {
    return new DenoUdpSocket(deno().listenDatagram({ transport: "udp", hostname: ip, port }));
  }

  private async receiveLoop(): Promise<void> {
    // One receive buffer for the socket's life, each datagram copied out at its own size: without
    // a buffer Deno allocates (and zeroes) 64 KiB per datagram, which made receiving the slow side
    // of a burst (more datagrams lost to a full socket buffer, which Deno cannot enlarge).
    const buf = new Uint8Array(65536);
    while (!this.closed) {
      let got: [Uint8Array, DenoNetAddr];
      try {
        got = await this.conn.receive(buf);
      } catch {
        if (this.closed) return;
        this.recvErrors++;
        await new Promise((r) => setTimeout(r, 1)); // an error that repeats must not spin the loop
        continue;
      }
      const [view, from] = got;
      this.handler?.(view.slice(), { ip: from.hostname, port: from.port }, this.local);
    }
  }

  send(t: Transmit): void {
    if (this.closed) {
      this.sendErrors++;
      return;
    }
    this.conn.send(t.data, { transport: "udp", hostname: t.to.ip, port: t.to.port }).catch(() => {
      this.sendErrors++;
    });
  }

  onDatagram(cb: DatagramHandler): void {
    this.handler = cb;
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    this.conn.close();
    await this.loop;
  }
}

/** Bind a UDP socket to `ip`:`port` (port 0: any). */
export function bindDenoUdp(ip: string, port: number): DenoUdpSocket {
  return DenoUdpSocket.bind(ip, port);
}
