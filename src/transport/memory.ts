// In-process datagram network for runtime tests without sockets: `bind` hands out sockets
// on a shared MemoryNetwork; delivery is asynchronous (next microtask), like a real socket.
import { type Locator, locatorKey, type Transmit } from "../core/types.ts";
import type { DatagramHandler, DatagramSocket } from "./types.ts";

/** An in-process datagram network for tests without sockets; delivery on the next microtask. */
export class MemoryNetwork {
  private readonly bound = new Map<string, MemorySocket>();
  private nextPort = 40000;
  /** Datagrams delivered. */
  delivered = 0;
  /** Datagrams to an unbound locator (dropped). */
  dropped = 0;

  /** A socket bound to `ip`:`port` (port 0: the next free one from 40000). */
  bind(ip: string, port = 0): MemorySocket {
    const local = { ip, port: port || this.nextPort++ };
    const k = locatorKey(local);
    if (this.bound.has(k)) throw new Error(`memory: ${k} in use`);
    const s = new MemorySocket(this, local);
    this.bound.set(k, s);
    return s;
  }

  /** @internal */
  route(from: Locator, t: Transmit): void {
    const data = t.data.slice();
    queueMicrotask(() => {
      const dst = this.bound.get(locatorKey(t.to));
      if (!dst) {
        this.dropped++;
        return;
      }
      this.delivered++;
      dst.deliver(data, from);
    });
  }

  /** @internal */
  unbind(s: MemorySocket): void {
    this.bound.delete(locatorKey(s.local));
  }
}

/** A socket of a {@link MemoryNetwork}. */
export class MemorySocket implements DatagramSocket {
  sendErrors = 0;
  private handler: DatagramHandler | undefined;
  private closed = false;

  constructor(
    private readonly net: MemoryNetwork,
    readonly local: Locator,
  ) {}

  send(t: Transmit): void {
    if (this.closed) this.sendErrors++;
    else this.net.route(this.local, t);
  }

  onDatagram(cb: DatagramHandler): void {
    this.handler = cb;
  }

  /** @internal */
  deliver(data: Uint8Array, from: Locator): void {
    if (!this.closed) this.handler?.(data, from, this.local);
  }

  async close(): Promise<void> {
    this.closed = true;
    this.net.unbind(this);
  }
}
