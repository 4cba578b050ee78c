// Several sockets of one host (one per local address: multi-homing). Routes a Transmit by
// its `from` locator, else to the first socket of the destination's address family.
import { type Locator, locatorKey, type Transmit } from "../core/types.ts";
import type { DatagramHandler, DatagramSocket } from "./types.ts";

/** What `SocketSet.stats()` returns (host.stats() `transport`). */
export interface SocketSetStats {
  /** Sockets bound now (in use). */
  sockets: number;
  /** Sockets of removed addresses still receiving (SocketSet.drain). */
  draining: number;
  /** Datagrams not carried, by reason: `unroutable`, an error code such as `EMSGSIZE`, `send-error`, or `recv-error`. */
  drop: Record<string, number>;
}

/** The sockets of one host (one per local address); routes a Transmit by its `from`, else by address family. */
export class SocketSet {
  private readonly sockets = new Map<string, DatagramSocket>();
  private handler: DatagramHandler | undefined;
  /** Transmits no socket could carry (no socket of that family / `from` unknown). */
  unroutable = 0;
  /** Send failures of sockets already removed, by code (`stats`). */
  private readonly removedErrors: Record<string, number> = {};

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

  /** Detach (and close) the socket bound to `local` (a draining one too). */
  async remove(local: Locator): Promise<void> {
    const k = locatorKey(local);
    const s = this.sockets.get(k) ?? this.draining.get(k);
    if (!s) return;
    this.sockets.delete(k);
    this.draining.delete(k);
    this.lastSocket = undefined;
    addErrors(this.removedErrors, s);
    await s.close();
  }

  /** Sockets of removed addresses that still receive until closed; they send only what names them as its source. */
  private readonly draining = new Map<string, DatagramSocket>();

  /**
   * Stop choosing `local` for sending but keep receiving on it until `remove(local)`: datagrams
   * already on their way to an address we gave up are not lost (runtime/host.ts changeAddresses),
   * nor are those sealed for it before the move (`pick`). False when no such socket is bound.
   */
  drain(local: Locator): boolean {
    const k = locatorKey(local);
    const s = this.sockets.get(k);
    if (!s) return false;
    this.sockets.delete(k);
    this.draining.set(k, s);
    this.lastSocket = undefined;
    return true;
  }

  /**
   * A draining socket bound to `local` (port 0: any port of that IP), taken back into use (an
   * address given up and regained at once). The caller adds it again (`add`).
   */
  reclaim(local: Locator): DatagramSocket | undefined {
    for (const [k, s] of this.draining) {
      if (s.local.ip !== local.ip || (local.port !== 0 && s.local.port !== local.port)) continue;
      this.draining.delete(k);
      return s;
    }
    return undefined;
  }

  /**
   * Sockets bound, and every datagram the sockets did not carry under `drop` (host.stats()
   * `transport`): `unroutable`, and sends the kernel refused by error code (`send-error` when
   * the transport does not know the code), failed receives (`recv-error`), those of removed
   * sockets included.
   */
  stats(): SocketSetStats {
    const drop: Record<string, number> = { ...this.removedErrors };
    for (const s of this.sockets.values()) addErrors(drop, s);
    for (const s of this.draining.values()) addErrors(drop, s);
    if (this.unroutable) drop.unroutable = this.unroutable;
    return { sockets: this.sockets.size, draining: this.draining.size, drop };
  }

  /** Send through the matching socket; returns its local locator (undefined: unroutable). */
  send(t: Transmit): Locator | undefined {
    const s = this.pick(t.to, t.from);
    if (!s) {
      this.unroutable++;
      return undefined;
    }
    s.send(t);
    return s.local;
  }

  /** The socket a datagram to `to` (from `from`, when given) would leave by; undefined: none. */
  socketFor(to: Locator, from?: Locator): DatagramSocket | undefined {
    return this.pick(to, from);
  }

  /** The socket of the last `from` seen (a stack sends a path's datagrams from one Locator object). */
  private lastFrom: Locator | undefined;
  private lastFromIp = "";
  private lastFromPort = -1;
  private lastSocket: DatagramSocket | undefined;

  private pick(to: Locator, f: Locator | undefined): DatagramSocket | undefined {
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
      // Sealed for a path from an address we are giving up (in flight when the move came, e.g.
      // in a Worker's batch): it leaves from there while the address drains. New datagrams take
      // the new path; without this, a move to the other address family lost them (unroutable).
      const d = this.draining.get(locatorKey(f));
      if (d) return d;
    }
    const v6 = to.ip.includes(":");
    for (const s of this.sockets.values()) if (s.local.ip.includes(":") === v6) return s;
    return undefined;
  }

  /** Set the receive callback of every socket. */
  onDatagram(cb: DatagramHandler): void {
    this.handler = cb;
  }

  /** Close every socket. */
  async close(): Promise<void> {
    const all = [...this.sockets.values(), ...this.draining.values()];
    this.sockets.clear();
    this.draining.clear();
    this.lastSocket = undefined;
    await Promise.all(all.map((s) => s.close()));
  }
}

/** into += the send failures of `s`, by code where it reports codes, and its receive failures (`recv-error`). */
function addErrors(into: Record<string, number>, s: DatagramSocket): void {
  let coded = 0;
  for (const [code, n] of Object.entries(s.sendErrorCodes ?? {})) {
    into[code] = (into[code] ?? 0) + n;
    coded += n;
  }
  if (s.sendErrors > coded) into["send-error"] = (into["send-error"] ?? 0) + s.sendErrors - coded;
  if (s.recvErrors) into["recv-error"] = (into["recv-error"] ?? 0) + s.recvErrors;
  if (s.badFrames) into["bad-frame"] = (into["bad-frame"] ?? 0) + s.badFrames;
}
