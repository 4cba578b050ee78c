// No silent drops: a datagram the application sends while its peer has no usable path (every
// local interface down, the peer's addresses unverified, draft §6.5) is held here, bounded per
// peer and in time, and sent when a path appears (a `path-changed` event; after our own move, once
// the peer's AC has acknowledged the REA over it); what cannot be held
// or expires is reported (RuntimeHost events `send-queued` / `send-dropped`). Pure bookkeeping:
// the caller owns the timer and the sending.
import type { Millis } from "../core/types.ts";
import { hitKey } from "../hip/hit.ts";
import { intSetting } from "../core/settings.ts";

/** How many datagrams are held per peer while it has no path, and for how long. */
export interface SendQueueOptions {
  /** Datagrams held per peer (default 256). */
  limit?: number;
  /** How long one is held before it is dropped and reported (default 5000 ms: a path lost for a few seconds, e.g. a NIC swap with ARP re-resolution, loses nothing). */
  timeoutMs?: Millis;
}

export interface HeldDatagram {
  srcPort: number;
  dstPort: number;
  data: Uint8Array;
  at: Millis;
}

export class NoPathQueue {
  private readonly q = new Map<string, { peerHit: Uint8Array; items: HeldDatagram[] }>();
  readonly limit: number;
  readonly timeoutMs: Millis;

  constructor(o: SendQueueOptions = {}) {
    this.limit = intSetting("sendQueue.limit", o.limit, 256, 0, 2 ** 20);
    this.timeoutMs = intSetting("sendQueue.timeoutMs", o.timeoutMs, 5000, 0, 2 ** 31 - 1);
  }

  /** Hold one datagram; false when the peer's queue is full (the caller reports the drop). */
  push(now: Millis, peerHit: Uint8Array, srcPort: number, dstPort: number, data: Uint8Array): boolean {
    const k = hitKey(peerHit);
    const e = this.q.get(k) ?? { peerHit: peerHit.slice(), items: [] };
    if (e.items.length >= this.limit) return false;
    e.items.push({ srcPort, dstPort, data: data.slice(), at: now });
    this.q.set(k, e);
    return true;
  }

  /** Everything held for `peerHit`, oldest first (removed from the queue). */
  take(peerHit: Uint8Array): HeldDatagram[] {
    const k = hitKey(peerHit);
    const e = this.q.get(k);
    this.q.delete(k);
    return e?.items ?? [];
  }

  /** Put datagrams back in front (a path vanished again while flushing). */
  unshift(peerHit: Uint8Array, items: HeldDatagram[]): void {
    if (items.length === 0) return;
    const k = hitKey(peerHit);
    const e = this.q.get(k) ?? { peerHit: peerHit.slice(), items: [] };
    e.items = [...items, ...e.items].slice(0, this.limit);
    this.q.set(k, e);
  }

  /** Drop what waited longer than the timeout; returns the count per peer. */
  expire(now: Millis): { peerHit: Uint8Array; dropped: number }[] {
    const out: { peerHit: Uint8Array; dropped: number }[] = [];
    for (const [k, e] of this.q) {
      const keep = e.items.filter((x) => now - x.at < this.timeoutMs);
      if (keep.length !== e.items.length) out.push({ peerHit: e.peerHit, dropped: e.items.length - keep.length });
      if (keep.length) e.items = keep;
      else this.q.delete(k);
    }
    return out;
  }

  /** When the oldest held datagram expires, if any. */
  nextDeadline(): Millis | undefined {
    let t: number | undefined;
    for (const e of this.q.values()) for (const x of e.items) if (t === undefined || x.at + this.timeoutMs < t) t = x.at + this.timeoutMs;
    return t;
  }

  /** Whether anything is held for `peerHit`. */
  holds(peerHit: Uint8Array): boolean {
    return this.q.has(hitKey(peerHit));
  }

  get size(): number {
    let n = 0;
    for (const e of this.q.values()) n += e.items.length;
    return n;
  }
}

/** What became of a send that found no path (RuntimeHost / TunnelHost event "held"). */
export type HeldEvent =
  | {
      /** Held, to be sent when a path appears. */
      type: "send-queued";
      /** The peer's HIT. */
      peerHit: Uint8Array;
      /** Datagrams held now, for every peer. */
      held: number;
    }
  | {
      /** Dropped: held too long, the peer's queue full, or the association gone meanwhile. */
      type: "send-dropped";
      /** The peer's HIT. */
      peerHit: Uint8Array;
      /** How many datagrams. */
      dropped: number;
      /** Why. */
      reason: "no-path-timeout" | "queue-full" | "no-association";
    };

export interface HeldSendsIo {
  clock: () => Millis;
  /** Try to send now; "no-path" puts it back. */
  send: (peerHit: Uint8Array, srcPort: number, dstPort: number, data: Uint8Array) => "sent" | "queued" | "no-association" | "no-path" | "seal-failed" | "too-big";
  report: (ev: HeldEvent) => void;
}

/** A NoPathQueue with its timer and its flush on `path-changed` (used by RuntimeHost). */
export class HeldSends {
  private timer: ReturnType<typeof setTimeout> | undefined;
  private stopped = false;
  /** Datagrams held, handed to the stack later (`sent`), and dropped by reason (`stats().held`;
   *  in `drops` as `held.<reason>`). */
  readonly counters = { held: 0, sent: 0, drop: { "queue-full": 0, "no-path-timeout": 0, "no-association": 0 } };

  constructor(
    readonly queue: NoPathQueue,
    private readonly io: HeldSendsIo,
  ) {}

  /**
   * Peers whose path came back from none by our own move (an interface up again): their REA is on
   * its way but nothing proves the new path passes traffic yet (carrier can return before a link
   * forwards: ARP re-resolving, a bridge port learning). Held datagrams wait, and new ones join
   * them in order, until the peer's AC acknowledges that REA (draft §5.2) or `timeoutMs` passes.
   */
  private readonly unproven = new Map<string, Millis>();

  /** True while sends to `peerHit` must queue behind held ones (see {@link awaitProof}). */
  waiting(peerHit: Uint8Array): boolean {
    if (this.unproven.size === 0) return false;
    const k = hitKey(peerHit);
    const since = this.unproven.get(k);
    if (since === undefined) return false;
    if (this.io.clock() - since < this.queue.timeoutMs && this.queue.holds(peerHit)) return true;
    this.unproven.delete(k);
    return false;
  }

  /** Our path to `peerHit` came back after none: keep holding until {@link proven} (if anything is held). */
  awaitProof(peerHit: Uint8Array): void {
    if (this.queue.holds(peerHit)) this.unproven.set(hitKey(peerHit), this.io.clock());
    else this.unproven.delete(hitKey(peerHit));
  }

  /** The peer acknowledged our REA over the new path: send what waits. */
  proven(peerHit: Uint8Array): void {
    if (this.unproven.delete(hitKey(peerHit))) this.pathChanged(peerHit);
  }

  /** The stack said "no-path": hold the datagram ("queued") or report it dropped ("no-path"). */
  hold(peerHit: Uint8Array, srcPort: number, dstPort: number, data: Uint8Array): "queued" | "no-path" {
    if (this.stopped || !this.queue.push(this.io.clock(), peerHit, srcPort, dstPort, data)) {
      this.counters.drop["queue-full"]++;
      this.io.report({ type: "send-dropped", peerHit: peerHit.slice(), dropped: 1, reason: "queue-full" });
      return "no-path";
    }
    this.counters.held++;
    this.io.report({ type: "send-queued", peerHit: peerHit.slice(), held: this.queue.size });
    this.arm();
    return "queued";
  }

  /** A path appeared for `peerHit`: send what waits (after the current event dispatch). */
  pathChanged(peerHit: Uint8Array): void {
    this.unproven.delete(hitKey(peerHit));
    if (this.queue.size === 0) return;
    const hit = peerHit.slice();
    queueMicrotask(() => this.flush(hit));
  }

  flush(peerHit: Uint8Array): void {
    if (this.waiting(peerHit)) return;
    const items = this.queue.take(peerHit);
    let gone = 0;
    for (let i = 0; i < items.length; i++) {
      const x = items[i];
      const st = this.io.send(peerHit, x.srcPort, x.dstPort, x.data);
      if (st === "no-path") {
        this.queue.unshift(peerHit, items.slice(i));
        break;
      }
      // The association went while this waited; a refused seal is the stack's count (esp.drop.seal.*).
      if (st === "no-association") gone++;
      else this.counters.sent++;
    }
    if (gone === 0) return;
    this.counters.drop["no-association"] += gone;
    this.io.report({ type: "send-dropped", peerHit: peerHit.slice(), dropped: gone, reason: "no-association" });
  }

  stop(): void {
    this.stopped = true;
    if (this.timer !== undefined) clearTimeout(this.timer);
    this.timer = undefined;
  }

  private arm(): void {
    if (this.timer !== undefined || this.stopped) return;
    const at = this.queue.nextDeadline();
    if (at === undefined) return;
    this.timer = setTimeout(
      () => {
        this.timer = undefined;
        for (const d of this.queue.expire(this.io.clock())) {
          this.counters.drop["no-path-timeout"] += d.dropped;
          this.io.report({ type: "send-dropped", peerHit: d.peerHit, dropped: d.dropped, reason: "no-path-timeout" });
        }
        this.arm();
      },
      Math.max(1, Math.ceil(at - this.io.clock())),
    );
    (this.timer as { unref?: () => void }).unref?.();
  }
}
