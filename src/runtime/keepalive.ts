// NAT keepalives: a host behind a NAT must keep its UDP mapping alive while an association is
// idle, or the peer's next packet finds no mapping. Format: one 0xFF byte (RFC 3948 §2.3, which
// RFC 5770 §5.3 reuses for HIP/ESP over UDP; the receiver counts and ignores it). Interval 15 s by
// default (RFC 5770 §5.3: "at least every 15 seconds" for NAT bindings). Sent only on a path that
// carried nothing outbound for the whole interval. Transport-neutral: no node: imports.
import type { Locator, Millis } from "../core/types.ts";
import { locatorKey } from "../core/types.ts";
import type { HipHost } from "../hip/host.ts";
import type { EndpointDriver, PacketTap } from "./driver.ts";

export const DEFAULT_KEEPALIVE_MS = 15_000;
const KEEPALIVE = new Uint8Array([0xff]);

/** Last outbound time to one destination; `dropped` once tick() forgot it (no live association). */
interface Slot {
  t: Millis;
  dropped: boolean;
}

export class NatKeepalive {
  /** Last outbound time per destination; a slot object, so the per-datagram tap writes a field. */
  private readonly lastOut = new Map<string, Slot>();
  private timer: ReturnType<typeof setInterval> | undefined;
  /** Keepalives sent. */
  sent = 0;

  constructor(
    private readonly host: HipHost,
    private readonly driver: EndpointDriver,
    readonly intervalMs: Millis = DEFAULT_KEEPALIVE_MS,
  ) {
    const prev: PacketTap | undefined = driver.tap;
    driver.tap = (dir, now, data, from, to) => {
      if (dir === "out") this.noteOut(now, to);
      prev?.(dir, now, data, from, to);
    };
  }

  private lastTo: Locator | undefined;
  private lastIp = "";
  private lastPort = -1;
  private lastSlot: Slot = { t: 0, dropped: true };

  /**
   * Something went out to `to` at `now` (the driver's tap, or a Worker that sends itself). Per
   * datagram: the stack sends a peer's packets to one Locator object, so the slot of the last one
   * is reused instead of building and hashing a string every time.
   */
  noteOut(now: Millis, to: Locator): void {
    if (to !== this.lastTo || to.ip !== this.lastIp || to.port !== this.lastPort || this.lastSlot.dropped) {
      this.lastTo = to;
      this.lastIp = to.ip;
      this.lastPort = to.port;
      this.lastSlot = this.slot(locatorKey(to));
    }
    this.lastSlot.t = now;
  }

  start(): void {
    if (this.intervalMs <= 0 || this.timer !== undefined) return;
    this.timer = setInterval(() => this.tick(this.driver.clock()), Math.max(50, this.intervalMs / 3));
    (this.timer as { unref?: () => void }).unref?.();
  }

  stop(): void {
    if (this.timer !== undefined) clearInterval(this.timer);
    this.timer = undefined;
  }

  /** Send a keepalive on every established association's path idle for the interval. */
  tick(now: Millis): number {
    let n = 0;
    const live = new Set<string>();
    for (const a of this.host.associations()) {
      if (a.state !== "ESTABLISHED" && a.state !== "R2-SENT") continue;
      const to: Locator = a.peerLocator;
      const k = locatorKey(to);
      live.add(k);
      const last = this.lastOut.get(k);
      if (last !== undefined && now - last.t < this.intervalMs) continue;
      const local = this.driver.sockets.send(a.localLocator ? { to, from: a.localLocator, data: KEEPALIVE } : { to, data: KEEPALIVE });
      this.slot(k).t = now;
      if (local) {
        n++;
        this.sent++;
      }
    }
    for (const [k, v] of this.lastOut) {
      if (live.has(k)) continue;
      v.dropped = true; // bounded by the associations
      this.lastOut.delete(k);
    }
    return n;
  }

  private slot(k: string): Slot {
    let v = this.lastOut.get(k);
    if (!v) {
      v = { t: 0, dropped: false };
      this.lastOut.set(k, v);
    }
    return v;
  }
}
