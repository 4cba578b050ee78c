// The ESP SAs of every association in the data plane: the base-exchange pair (RFC 7402
// `sa-install`) plus per-interface SAs added by the mobility extension (`sa-add`, draft §4.5).
// A retired inbound SA stays until every lower sequence number arrived or a timeout passed
// (draft §6.1.1.1); one a rekey replaced, also until the peer sends on the new one (RFC 7402
// §6.9: it switches one round trip after us). Browser-safe (no node: imports).
import type { Millis } from "../core/types.ts";
import { hitKey } from "../hip/hit.ts";
import type { SaParams } from "../hip/sa.ts";
import type { SaGuard } from "./sa-guard.ts";

/** The SAs of one peer in the data plane. */
export interface PeerSas {
  /** The peer's HIT. */
  peerHit: Uint8Array;
  /** SPIs of the base-exchange pair. */
  spiIn: number;
  /** Outbound SPI of the base-exchange pair. */
  spiOut: number;
  /** Inbound SAs: SPI → data-plane handle. */
  inbound: Map<number, number>;
  /** Outbound SAs: SPI → data-plane handle. */
  outbound: Map<number, number>;
  /** Retired inbound SPIs → deadline. */
  retiring: Map<number, Millis>;
  /** Retiring inbound SPI → the inbound SPI that replaced it in a rekey: kept until that one got a packet. */
  successor: Map<number, number>;
  /** hitPairSum of our HIT and the peer's (beet-udp.ts), set by the stack on first use; -1 before. */
  hitSum: number;
}

/**
 * What the table needs from a data plane: the in-process DataPlane fits as it is; DeferredEsp
 * (esp-work.ts) queues the same calls for a Worker and hands out its own handles.
 */
export interface SaBackend {
  /** Returns the SA's handle; throws when the data plane refuses it (duplicate SPI, table full). */
  installSa(sa: SaParams): number;
  /** Remove the SA with `handle`. */
  removeSa(handle: number): unknown;
  /** Authenticated packets and highest sequence number of an inbound SA. */
  stats(handle: number): {
    /** Authenticated packets. */
    packets: number;
    /** Highest sequence number. */
    seq: number;
  } | undefined;
}

/** The ESP SAs of every association in the data plane (base-exchange pair plus per-interface SAs, draft §4.5); retired inbound SAs linger (draft §6.1.1.1). */
export class SaTable {
  private readonly byPeer = new Map<string, PeerSas>();
  /** Peers with retiring inbound SAs: sweep and nextDeadline visit these only (a runtime polls
   * nextDeadline once per event-loop turn; most peers never retire an SA). */
  private readonly retiringPeers = new Set<PeerSas>();
  private readonly bySpiIn = new Map<number, PeerSas>();
  /** SAs the data plane refused (duplicate SPI, table full) or the `maxSas` limit refused. */
  failures = 0;
  /** SAs installed (bounded by `maxSas`, limits.ts). */
  private installed = 0;

  constructor(
    private readonly dp: SaBackend,
    /** How long a retired inbound SA may wait for its missing sequence numbers. */
    private readonly oldSaTimeoutMs: Millis = 2_000,
    /** IV seeds and the no-(key, salt)-reuse check (sa-guard.ts). */
    readonly guard?: SaGuard,
    /** At most this many SAs (src/hip/limits.ts `maxSas`); `count("drop.sa_limit")` for each refused. */
    private readonly o: { maxSas?: number; count?: (name: string) => void } = {},
  ) {}

  /** SAs currently installed. */
  get size(): number {
    return this.installed;
  }

  private room(n: number): boolean {
    if (this.installed + n <= (this.o.maxSas ?? Number.POSITIVE_INFINITY)) return true;
    this.failures++;
    this.o.count?.("drop.sa_limit");
    return false;
  }

  private free(h: number): void {
    this.dp.removeSa(h);
    this.installed--;
  }

  /** The SAs of `peerHit`, if any. */
  peer(peerHit: Uint8Array): PeerSas | undefined {
    return this.byPeer.get(hitKey(peerHit));
  }

  /** The peer owning inbound SPI `spi`, if any. */
  bySpi(spi: number): PeerSas | undefined {
    return this.bySpiIn.get(spi);
  }

  /** RFC 7402 `sa-install`: a rekey replaces every SA of the peer. */
  installPair(peerHit: Uint8Array, inbound: SaParams, outbound: SaParams): void {
    this.removePeer(peerHit);
    if (!this.room(2)) return;
    const p: PeerSas = { peerHit: peerHit.slice(), spiIn: inbound.spi, spiOut: outbound.spi, inbound: new Map(), outbound: new Map(), retiring: new Map(), successor: new Map(), hitSum: -1 };
    this.byPeer.set(hitKey(peerHit), p);
    this.add(peerHit, inbound);
    this.add(peerHit, outbound);
  }

  /** One more SA of an existing peer (per-interface SA, draft §4.5). */
  add(peerHit: Uint8Array, sa: SaParams): boolean {
    const p = this.peer(peerHit);
    if (!p) return false;
    const map = sa.direction === "in" ? p.inbound : p.outbound;
    if (map.has(sa.spi)) return true;
    if (!this.room(1)) return false; // limits.maxSas, before the guard records the keys
    const admitted = this.guard ? this.guard.admit(sa) : sa;
    if (!admitted) return false; // keys installed before: refused (counted by the guard)
    try {
      map.set(sa.spi, this.dp.installSa(admitted));
      this.installed++;
    } catch {
      this.failures++;
      this.o.count?.("drop.sa_install_failed");
      return false;
    }
    if (sa.direction === "in") this.bySpiIn.set(sa.spi, p);
    return true;
  }

  /** UPDATE rekey (RFC 7402 §6.9): the new pair becomes the base pair; the old outbound SA goes,
   * the old inbound one is retired like a per-interface SA. */
  rekey(peerHit: Uint8Array, inbound: SaParams, outbound: SaParams, now: Millis): boolean {
    const p = this.peer(peerHit);
    if (!p || !this.add(peerHit, inbound) || !this.add(peerHit, outbound)) return false;
    const oldIn = p.spiIn;
    const oldOut = p.spiOut;
    p.spiIn = inbound.spi;
    p.spiOut = outbound.spi;
    if (oldOut !== outbound.spi) this.delete(peerHit, "out", oldOut, now);
    // The peer still seals on the old pair until it switches too (the reply or ACK it waits for
    // is on its way): the old inbound SA waits for a packet on the new one, or its timeout.
    if (oldIn !== inbound.spi && p.inbound.has(oldIn)) p.successor.set(oldIn, inbound.spi);
    if (oldIn !== inbound.spi) this.delete(peerHit, "in", oldIn, now);
    return true;
  }

  /** Outbound SAs go at once; an inbound one is retired (draft §6.1.1.1). */
  delete(peerHit: Uint8Array, direction: "in" | "out", spi: number, now: Millis): void {
    const p = this.peer(peerHit);
    if (!p) return;
    if (direction === "out") {
      const h = p.outbound.get(spi);
      if (h !== undefined && spi !== p.spiOut) {
        this.free(h);
        p.outbound.delete(spi);
      }
      return;
    }
    if (p.inbound.has(spi) && spi !== p.spiIn) {
      p.retiring.set(spi, now + this.oldSaTimeoutMs);
      this.retiringPeers.add(p);
      this.sweep(now);
    }
  }

  /** Deletes retired inbound SAs that are complete (no holes below the highest seq) or late. */
  sweep(now: Millis): void {
    for (const p of this.retiringPeers) {
      for (const [spi, by] of p.retiring) {
        const h = p.inbound.get(spi);
        const st = h === undefined ? undefined : this.dp.stats(h);
        if (h !== undefined && st && now < by && (st.packets < st.seq || !this.successorUsed(p, spi))) continue;
        if (h !== undefined) this.free(h);
        p.inbound.delete(spi);
        p.retiring.delete(spi);
        p.successor.delete(spi);
        this.bySpiIn.delete(spi);
      }
      if (p.retiring.size === 0) this.retiringPeers.delete(p);
    }
  }

  /** True unless `spi` was replaced by a rekey whose new inbound SA has had no packet yet. */
  private successorUsed(p: PeerSas, spi: number): boolean {
    const next = p.successor.get(spi);
    if (next === undefined) return true;
    const h = p.inbound.get(next);
    return h === undefined || (this.dp.stats(h)?.packets ?? 0) > 0;
  }

  /** When the next retired inbound SA must go (ms), if any. */
  nextDeadline(): Millis | undefined {
    let t: number | undefined;
    for (const p of this.retiringPeers) for (const by of p.retiring.values()) if (t === undefined || by < t) t = by;
    return t;
  }

  /** Remove every SA of `peerHit` (only if its inbound SPI is still `onlyIfSpiIn`, when given). */
  removePeer(peerHit: Uint8Array, onlyIfSpiIn?: number): void {
    const p = this.peer(peerHit);
    if (!p || (onlyIfSpiIn !== undefined && p.spiIn !== onlyIfSpiIn)) return;
    for (const [spi, h] of p.inbound) {
      this.free(h);
      this.bySpiIn.delete(spi);
    }
    for (const h of p.outbound.values()) this.free(h);
    this.retiringPeers.delete(p);
    this.byPeer.delete(hitKey(peerHit));
  }
}
