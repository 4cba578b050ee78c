// Several sockets of one host (one per local address: multi-homing). Routes a Transmit by
// its `from` locator, else to the first socket of the destination's address family.
import { type Locator, locatorKey, type Transmit } from "../core/types.ts";
import type { DatagramHandler, DatagramSocket } from "./types.ts";

/** The sockets of one host (one per local address); routes a Transmit by its `from`, else by address family. */
export class SocketSet {
  private readonly sockets = new Map<string, DatagramSocket>();
  private handler: DatagramHandler | undefined;
  /** Transmits no socket could carry (no socket of that family / `from` unknown). */
  unroutable = 0;

  constructor(sockets: DatagramSocket[] = []) {
    for (const s of sockets) this.add(s);
  }

  /** The bound local locators. */
  get locals(): Locator[] {
    return [...this.sockets.values()].map((s) => s.local);
  }

  /** Add a socket. */
  add(s: DatagramSocket): void {
    this.lastSocket = undefined;
    this.sockets.set(locatorKey(s.local), s);
    s.onDatagram((d, f, t) => this.handler?.(d, f, t));
  }

  /** Detach (and close) the socket bound to `local`. */
  async remove(local: Locator): Promise<void> {
    const k = locatorKey(local);
    const s = this.sockets.get(k);
    if (!s) return;
    this.sockets.delete(k);
    this.lastSocket = undefined;
    await s.close();
  }

  /** Send through the matching socket; returns its local locator (undefined: unroutable). */
  send(t: Transmit): Locator | undefined {
    const s = this.pick(t);
    if (!s) {
      this.unroutable++;
      return undefined;
    }
    s.send(t);
    return s.local;
  }

  /** The socket of the last `from` seen (a stack sends a path's datagrams from one Locator object). */
  private lastFrom: Locator | undefined;
  private lastFromIp = "";
  private lastFromPort = -1;
  private lastSocket: DatagramSocket | undefined;

  private pick(t: Transmit): DatagramSocket | undefined {
    const f = t.from;
    if (f) {
      if (f === this.lastFrom && f.ip === this.lastFromIp && f.port === this.lastFromPort && this.lastSocket) return this.lastSocket;
      const s = this.sockets.get(locatorKey(f));
      if (s) {
        this.lastFrom = f;
        this.lastFromIp = f.ip;
        this.lastFromPort = f.port;
        this.lastSocket = s;
        return s;
      }
    }
    const v6 = t.to.ip.includes(":");
    for (const s of this.sockets.values()) if (s.local.ip.includes(":") === v6) return s;
    return undefined;
  }

  /** Set the receive callback of every socket. */
  onDatagram(cb: DatagramHandler): void {
    this.handler = cb;
  }

  /** Close every socket. */
  async close(): Promise<void> {
    const all = [...this.sockets.values()];
    this.sockets.clear();
    this.lastSocket = undefined;
    await Promise.all(all.map((s) => s.close()));
  }
}
