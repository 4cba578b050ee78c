// Choosing the data path and noticing when it goes silent (§3.3 preferred interface and
// failover, §3.4 site multi-homing / both families, §6.5 "never data before the ACR").
import type { Locator, Millis } from "../core/types.ts";
import { locatorKey, sameLocator } from "../core/types.ts";
import { familyOf, type LocalModel, type PeerModel } from "./model.ts";
import type { MobilityPolicy } from "./policy.ts";
import type { MmAddress, Path } from "./types.ts";

/**
 * Tier of a peer address for data: 4 active, 3 not verified but on source credit (the peer just
 * sent an authenticated REA from it; policy `sourceCredit`, off by default), 2 active but silent
 * (suspect), 1 left out of the peer's last REA but verified and within its grace (used only until
 * a replacement verifies), 0 never (§6.5: no data before the ACR).
 */
function tier(a: MmAddress, suspect: boolean, credited: boolean): number {
  if (a.verifiedAt === undefined || a.status === "unverified") return credited && a.status === "unverified" ? 3 : 0;
  if (a.status === "deprecated") return 1;
  return suspect ? 2 : 4;
}

/** Suspect paths kept before those no longer candidates are dropped. */
const SUSPECTS_PRUNE_AT = 64;

export class PathSelector {
  path: Path | undefined;
  /** When the current path was chosen (silence is measured from max(this, last heard)). */
  since: Millis = 0;
  /** Paths whose liveness check failed (§3.3), until heard again; only current candidates are kept. */
  private readonly suspects = new Set<string>();
  /** The last noteHeard call (from, at, instant, local model generation). */
  private readonly lastHeard = { now: Number.NaN, gen: -1, ip: "", port: -1, atIp: "", atPort: -1 };
  lastSendAt: Millis = Number.NEGATIVE_INFINITY;
  /**
   * The first datagram sent since the current path was last heard from (undefined: none sent, or
   * answered). Silence is measured from it, so a slow sender (one line every few seconds) is
   * watched too, and an idle spell is not mistaken for silence when sending resumes.
   */
  private pendingSince: Millis | undefined;
  /** Sending started here after an idle spell longer than the watch (see watchMs). */
  activeSince: Millis = Number.NEGATIVE_INFINITY;
  livenessSentAt: Millis = Number.NEGATIVE_INFINITY;

  constructor(
    private readonly local: LocalModel,
    private readonly peer: PeerModel,
    private readonly policy: MobilityPolicy,
    /** True if data may go to this unverified address on source credit (credit.ts). */
    private readonly credited: (to: Locator) => boolean = () => false,
  ) {}

  /**
   * Something authentic (ESP, AC, ACR) arrived from peer locator `from` at our `at` (any of
   * ours when unknown). Returns true if that revived a suspect path.
   */
  noteHeard(from: Locator, now: Millis, at?: Locator): boolean {
    // Per ESP packet: the same path heard again within a millisecond changes nothing that
    // silence detection (seconds) could see; markSuspect and local model changes reset this.
    const l = this.lastHeard;
    if (now >= l.now && now - l.now < 1 && l.gen === this.local.generation && from.port === l.port && from.ip === l.ip && (at === undefined ? l.atIp === "" : at.ip === l.atIp && at.port === l.atPort)) return false;
    l.now = now;
    l.gen = this.local.generation;
    l.ip = from.ip;
    l.port = from.port;
    l.atIp = at?.ip ?? "";
    l.atPort = at?.port ?? -1;
    const peer = locatorKey(from);
    let revived = false;
    for (const u of this.local.usable(familyOf(from))) {
      if (at && !sameLocator(at, u.addr.locator)) continue;
      const k = `${locatorKey(u.addr.locator)}>${peer}`;
      if (this.path && sameLocator(this.path.to, from) && sameLocator(this.path.from, u.addr.locator)) this.pendingSince = undefined;
      if (this.suspects.delete(k)) revived = true;
    }
    return revived;
  }

  /** We send data on the path now (dataPath). */
  noteSend(now: Millis): void {
    if (now - this.lastSendAt > this.watchMs) {
      this.activeSince = now;
      this.pendingSince = now;
    } else this.pendingSince ??= now;
    this.lastSendAt = now;
  }

  /** After the last send, liveness goes on this long: a failover, then peerDeadMs (plus one failover of slack). */
  private get watchMs(): Millis {
    return 2 * this.policy.failoverTimeoutMs + this.policy.peerDeadMs;
  }

  isSuspect(p: Path): boolean {
    return this.suspects.has(pathKey(p));
  }

  markSuspect(p: Path): void {
    this.lastHeard.now = Number.NaN;
    this.suspects.add(pathKey(p));
    // Paths of addresses given up since are never heard again: keep only current candidates
    // (at most maxPeerAddresses × our addresses), so moves over days leave nothing behind.
    if (this.suspects.size > SUSPECTS_PRUNE_AT) {
      const live = new Set(this.candidates().map((c) => pathKey(c.path)));
      for (const k of this.suspects) if (!live.has(k)) this.suspects.delete(k);
    }
  }


  /** Ranked candidate paths (peer address × our source of its family), best first. */
  candidates(): { path: Path; score: number }[] {
    const out: { path: Path; score: number }[] = [];
    for (const { addr } of this.peer.all()) {
      const credited = addr.verifiedAt === undefined && this.credited(addr.locator);
      if (tier(addr, false, credited) === 0) continue;
      const fam = familyOf(addr.locator);
      const famPref = this.policy.preferFamily === fam ? 1 : 0;
      for (const src of this.local.usable(fam)) {
        if (addr.onlyFrom !== undefined && src.ifId !== addr.onlyFrom) continue; // learned via the FA: only through it
        const path = { from: src.addr.locator, to: addr.locator };
        // Tier first, then our interface preference (§3.3), then the peer's preferred flag, family.
        const score = tier(addr, this.isSuspect(path), credited) * 1e7 + src.rank * 100 + (addr.preferred ? 10 : 0) + famPref;
        out.push({ path, score });
      }
    }
    return out.sort((a, b) => b.score - a.score);
  }

  /** Re-evaluates the data path; keeps the current one on a tie. Returns true if it changed. */
  reselect(now: Millis): boolean {
    const c = this.candidates();
    let best = c[0]?.path;
    if (best && this.path) {
      const cur = c.find((x) => samePath(x.path, this.path!));
      if (cur && cur.score === c[0].score) best = cur.path;
    }
    if (best === undefined && this.path === undefined) return false;
    if (best && this.path && samePath(best, this.path)) return false;
    this.path = best;
    this.since = now;
    return true;
  }

  /**
   * Liveness (§3.3 failover): when what we sent on a path stays unanswered (nothing heard on it
   * since), after probeIntervalMs a liveness AC asks, after failoverTimeoutMs the path is suspect.
   * Nothing sent, nothing to protect: an idle association is not probed.
   */
  check(now: Millis): "ok" | "probe" | "failed" {
    const p = this.path;
    if (!p || this.pendingSince === undefined) return "ok";
    if (now - this.lastSendAt > this.watchMs) {
      this.pendingSince = undefined; // idle: the next send starts afresh (noteSend)
      return "ok";
    }
    const last = Math.max(this.since, this.pendingSince);
    if (now - last >= this.policy.failoverTimeoutMs) return "failed";
    if (now - last >= this.policy.probeIntervalMs && now - this.livenessSentAt >= this.policy.probeIntervalMs) return "probe";
    return "ok";
  }

  /** Next time check() may change its answer (undefined when idle). */
  nextCheck(): Millis | undefined {
    if (!this.path || this.pendingSince === undefined) return undefined;
    const last = Math.max(this.since, this.pendingSince);
    const probeAt = Math.max(last + this.policy.probeIntervalMs, this.livenessSentAt + this.policy.probeIntervalMs);
    const t = Math.min(probeAt, last + this.policy.failoverTimeoutMs);
    return Math.min(t, this.lastSendAt + this.watchMs + 1);
  }
}

export function pathKey(p: Path): string {
  return `${locatorKey(p.from)}>${locatorKey(p.to)}`;
}

export function samePath(a: Path, b: Path): boolean {
  return sameLocator(a.from, b.from) && sameLocator(a.to, b.to);
}
