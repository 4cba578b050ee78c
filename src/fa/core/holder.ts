// Lease holder liveness (ours, docs/PROTOCOL.md §9.1; issue 11 item 5). The draft has hosts find
// a dead FA (§4.4.2) but nothing for the other way round: an FA forwarding to a host that left
// (interface down, process gone, an address whose ARP never resolves) would keep sending to it
// until the lease expires, and every datagram queued toward it costs the FA buffer space that
// the other holders need. Rule: a UDP holder the FA forwards to and has not heard from for
// `holderSilenceMs` (any datagram from its locator: relay frame, FAQ, PONG) is probed (PING,
// holder-probe.ts) every `holderProbeMs`; after `holderProbes` unanswered probes it is dead:
// nothing more is forwarded to it (drop `holder_dead`) until it is heard from again (a PONG, a
// relay frame, or the FAQ its own FA-silence timer sends; FaClientOptions.silenceMs). While a
// probe is unanswered at most `holderQueue` datagrams go to it (drop `holder_unconfirmed`): a
// bounded share per destination. Tunnel holders are left to the tunnel's own liveness.
// Sans-I/O: time and randomness are passed in.
import type { Locator, Millis, Rng } from "../../core/types.ts";
import type { Lease } from "../store/lease.ts";
import { TunnelFrameType } from "../../wire/tunnel.ts";
import { emitProbe } from "./holder-probe.ts";

export interface HolderConfig {
  /** Probe a holder silent this long while datagrams are forwarded to it; 0 = off. */
  holderSilenceMs: number;
  /** Interval between probes. */
  holderProbeMs: number;
  /** Unanswered probes after which the holder is dead. */
  holderProbes: number;
  /** Most datagrams forwarded to a holder whose probe is unanswered. */
  holderQueue: number;
}

export const HOLDER_DEFAULTS: HolderConfig = { holderSilenceMs: 1000, holderProbeMs: 300, holderProbes: 3, holderQueue: 512 };

/** A dead holder that still gets traffic is probed again every this many silence intervals. */
const DEAD_PROBE_FACTOR = 10;

interface HolderState {
  lease: Lease;
  lastHeard: Millis;
  /** Datagrams forwarded since we last heard from the holder. */
  sinceHeard: number;
  /** Probes sent since we last heard from it (0: not probing). */
  probes: number;
  nextAt: Millis;
  nonce: number;
  dead: boolean;
}

export interface HolderCounters {
  /** Probes sent, PONGs matched, holders declared dead, dead holders heard from again. */
  probes: number;
  pongs: number;
  died: number;
  revived: number;
  /** Holders dead right now (a gauge). */
  dead: number;
}

export type HolderEvent = { type: "holder-dead" | "holder-alive"; hit: string; leaseId: number; host: Locator };

export class HolderLiveness {
  readonly counters: HolderCounters = { probes: 0, pongs: 0, died: 0, revived: 0, dead: 0 };
  private readonly states = new WeakMap<Lease, HolderState>();
  /** Holders being probed or dead (the timer walks these only). */
  private readonly active = new Set<HolderState>();
  private readonly byNonce = new Map<number, HolderState>();

  constructor(
    private readonly cfg: HolderConfig,
    private readonly rng: Rng,
    /** Send one probe to `to` (the agent queues it from the control locator). */
    private readonly sendProbe: (lease: Lease, data: Uint8Array) => void,
    private readonly report: (e: HolderEvent) => void,
  ) {}

  /** A datagram is about to be forwarded to UDP holder `lease`: a drop reason, or undefined to go. */
  forward(now: Millis, lease: Lease): string | undefined {
    if (this.cfg.holderSilenceMs <= 0 || lease.tunnel) return undefined;
    let s = this.states.get(lease);
    if (!s) {
      s = { lease, lastHeard: now, sinceHeard: 0, probes: 0, nextAt: 0, nonce: 0, dead: false };
      this.states.set(lease, s);
    }
    if (s.dead) {
      if (now >= s.nextAt) this.probe(now, s); // now and then: a dead holder may come back
      return "holder_dead";
    }
    s.sinceHeard++;
    if (s.probes === 0) {
      if (now - s.lastHeard >= this.cfg.holderSilenceMs) this.probe(now, s);
      return undefined;
    }
    return s.sinceHeard > this.cfg.holderQueue ? "holder_unconfirmed" : undefined;
  }

  /** True once the holder of `lease` stopped answering probes (until it is heard from again). */
  isDead(lease: Lease): boolean {
    return this.states.get(lease)?.dead === true;
  }

  /** Probe the holder of `lease` now (the FA restarted with its store: "we are back"). */
  probeNow(now: Millis, lease: Lease): void {
    if (this.cfg.holderSilenceMs <= 0 || lease.tunnel) return;
    let s = this.states.get(lease);
    if (!s) {
      s = { lease, lastHeard: now, sinceHeard: 0, probes: 0, nextAt: 0, nonce: 0, dead: false };
      this.states.set(lease, s);
    }
    if (!s.dead) this.probe(now, s);
  }

  /** Something came from the holder of `lease` (relay frame, FAQ, PONG): it is alive. */
  heard(now: Millis, lease: Lease): void {
    const s = this.states.get(lease);
    if (!s) return;
    s.lastHeard = now;
    s.sinceHeard = 0;
    if (s.probes === 0 && !s.dead) return;
    if (s.dead) {
      this.counters.revived++;
      this.counters.dead--;
      this.report({ type: "holder-alive", hit: lease.hit, leaseId: lease.leaseId, host: lease.host });
    }
    s.dead = false;
    s.probes = 0;
    // The probe's nonce stays known (until the next probe or the lease goes): its PONG, still on
    // the way when other traffic answered first (an R1 relayed back), is an answer, not a drop.
    this.active.delete(s);
  }

  /** A PONG from `from` with nonce `nonce`: true when it answers one of our probes. */
  pong(now: Millis, fromIp: string, fromPort: number, nonce: number): boolean {
    const s = this.byNonce.get(nonce);
    if (!s || s.lease.host.ip !== fromIp || s.lease.host.port !== fromPort) return false;
    this.counters.pongs++;
    this.heard(now, s.lease);
    return true;
  }

  /** The lease went (released, expired): forget its holder. */
  forget(lease: Lease): void {
    const s = this.states.get(lease);
    if (!s) return;
    if (s.dead) this.counters.dead--;
    this.byNonce.delete(s.nonce);
    this.active.delete(s);
    this.states.delete(lease);
  }

  nextTimeout(): Millis | undefined {
    let t: Millis | undefined;
    for (const s of this.active) if (!s.dead && (t === undefined || s.nextAt < t)) t = s.nextAt;
    return t;
  }

  handleTimeout(now: Millis): void {
    for (const s of this.active) {
      if (s.dead || s.nextAt > now) continue;
      if (s.probes < this.cfg.holderProbes) {
        this.probe(now, s);
        continue;
      }
      s.dead = true;
      s.nextAt = now + DEAD_PROBE_FACTOR * this.cfg.holderSilenceMs;
      this.counters.died++;
      this.counters.dead++;
      this.report({ type: "holder-dead", hit: s.lease.hit, leaseId: s.lease.leaseId, host: s.lease.host });
    }
  }

  private probe(now: Millis, s: HolderState): void {
    // A new round of probes: `holderQueue` counts what goes out while this one is unanswered, not
    // what went before it (a one-way stream's silent second was already thousands of datagrams,
    // and every one after the probe was dropped until the PONG came: one RTT of loss per second).
    if (s.probes === 0 && !s.dead) s.sinceHeard = 0;
    const n = this.rng.fill(new Uint8Array(8));
    this.byNonce.delete(s.nonce);
    s.nonce = n[0] * 2 ** 40 + n[1] * 2 ** 32 + n[2] * 2 ** 24 + n[3] * 2 ** 16 + n[4] * 2 ** 8 + n[5];
    this.byNonce.set(s.nonce, s);
    this.active.add(s);
    s.probes++;
    s.nextAt = now + (s.dead ? DEAD_PROBE_FACTOR * this.cfg.holderSilenceMs : this.cfg.holderProbeMs);
    this.counters.probes++;
    this.sendProbe(s.lease, emitProbe(TunnelFrameType.PING, n));
  }
}
