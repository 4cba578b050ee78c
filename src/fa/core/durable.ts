// Write-through from the agent's LeaseCache to a durable, possibly shared LeaseStore (store.ts)
// by store jobs (jobs.ts). Decisions are made on the cache at once (§4.4.1 rules in leases.ts);
// the FAQ is answered when the job completes: FAA if the store took the write, else the cache
// is put back as it was and the answer is FAD STORE_FAILED (a shared store unreachable: the
// fleet refuses new leases, keeps forwarding the cached ones). A create that loses a race for
// an SPI block or locator to another fleet node ("conflict") is retried on fresh blocks.
// Other nodes' changes are ordered against our own writes by the store's versions (pending.ts,
// docs/PROTOCOL.md §13.2).
import type { Millis } from "../../core/types.ts";
import { type JobBody, JobQueue, leaseCopy, type StoreResult } from "./jobs.ts";
import type { Lease } from "./lease.ts";
import { type LeaseManager, type LeaseOutcome, type LeaseRequest, mutableOf, storeFailed } from "./leases.ts";
import { newer, PendingWrites } from "./pending.ts";
import { FadReason } from "./reasons.ts";

/** Allocation attempts for one FAQ when other nodes keep winning the race. */
const CREATE_TRIES = 4;

export interface DurableHooks {
  /** A lease entered the cache from elsewhere (another node, a reload). */
  adopted(l: Lease): void;
  /** A lease left the cache because another node released it or it is gone from the store. */
  removed(l: Lease): void;
}

export class WriteThrough {
  readonly jobs: JobQueue;
  /** (hit, leaseId) with a create/renew/release in flight: FAQs for them wait (FAQ_PENDING). */
  private readonly inFlight = new Set<string>();
  /** Store jobs that failed (expiry deletes, holder claims): counted, never answered. */
  failures = 0;
  /** Other nodes' changes ignored as older than what the cache holds (§13.2). */
  staleChanges = 0;
  /** Every write of ours in flight (FAQs and claims), and the changes held meanwhile (§13.2). */
  private readonly pending = new PendingWrites();

  constructor(
    private readonly leases: LeaseManager,
    private readonly hooks: DurableHooks,
    readonly node: string | undefined,
    maxJobs: number,
  ) {
    this.jobs = new JobQueue(maxJobs);
  }

  busy(hit: string, leaseId: number): boolean {
    return this.inFlight.has(`${hit}/${leaseId}`);
  }

  /** Make outcome `r` of `req` durable, then `answer` it (or a refusal). */
  write(now: Millis, req: LeaseRequest, r: LeaseOutcome, answer: (now: Millis, r: LeaseOutcome) => void, tries = 1): void {
    if (r.kind === "granted" && r.fresh) {
      const l = r.lease;
      l.node = this.node;
      this.submit(l, { op: "create", lease: leaseCopy(l) }, (t, res) => {
        if (res.ok && res.value === "ok") return answer(t, r);
        this.leases.drop(l);
        // A write that failed may still have reached the store (a timeout): take it back, so no
        // lease is held without its FAA (best effort; the store's own expiry is the backstop).
        if (!res.ok) this.jobs.submit({ op: "release", hit: l.hit, leaseId: l.leaseId }, (_t, x) => void (x.ok || this.failures++));
        if (res.ok && tries < CREATE_TRIES) return this.write(t, req, this.leases.handle(t, req), answer, tries + 1);
        answer(t, this.failed(res.ok ? "another node won the allocation race, repeatedly" : res.error));
      });
    } else if (r.kind === "granted" && r.prev) {
      const l = r.lease;
      const prev = r.prev;
      l.node = this.node;
      this.submit(l, { op: "renew", lease: leaseCopy(l) }, (t, res) => {
        if (res.ok && typeof res.value === "number") {
          if (res.value > l.expires) l.expires = res.value; // another node granted longer
          return answer(t, r);
        }
        if (res.ok) {
          // released or expired elsewhere meanwhile
          this.leases.drop(l);
          this.hooks.removed(l);
          return answer(t, { kind: "refused", reason: FadReason.UNKNOWN_LEASE, message: `no lease ${l.leaseId} for this HIT` });
        }
        this.leases.update(l, prev);
        answer(t, this.failed(res.error));
      });
    } else if (r.kind === "released") {
      const l = r.lease;
      this.submit(l, { op: "release", hit: l.hit, leaseId: l.leaseId }, (t, res) => {
        if (res.ok) {
          this.pending.tombstone(`${l.hit}/${l.leaseId}`, l.version);
          return answer(t, r);
        }
        this.leases.adopt(l);
        this.hooks.adopted(l);
        answer(t, this.failed(res.error));
      });
    } else answer(now, r);
  }

  private submit(l: Lease, body: JobBody, done: (now: Millis, r: StoreResult) => void): void {
    const key = `${l.hit}/${l.leaseId}`;
    this.inFlight.add(key);
    this.pending.begin(key);
    const ok = this.jobs.submit(body, (t, res) => {
      this.inFlight.delete(key);
      done(t, res);
      this.settle(t, l.hit, l.leaseId, res);
    });
    if (!ok) {
      this.inFlight.delete(key);
      const res: StoreResult = { ok: false, error: "too many lease store writes in flight" };
      done(0, res);
      this.settle(0, l.hit, l.leaseId, res);
    }
  }

  /** A write of ours ended: once none of that lease is in flight, the cache takes the newest of
   *  our writes and the changes held meanwhile (§13.2). */
  private settle(now: Millis, hit: string, leaseId: number, res: StoreResult): void {
    const key = `${hit}/${leaseId}`;
    const s = this.pending.end(key, res.ok ? res.version : undefined);
    if (!s) return;
    const l = this.leases.store.get(hit, leaseId);
    if (l && s.own > 0 && newer(s.own, l.version)) l.version = s.own;
    if (s.held?.kind === "changed") this.apply(now, s.held.lease);
    else if (s.held) this.drop(hit, leaseId, s.held.version);
  }

  private failed(error: string): LeaseOutcome {
    this.leases.storeErrors++;
    this.leases.lastStoreError = error;
    return storeFailed();
  }

  /** A lease expired in the cache: drop it from the store too, unless renewed elsewhere. */
  expired(l: Lease, now: Millis): void {
    this.jobs.submit({ op: "expire", hit: l.hit, leaseId: l.leaseId, now }, (_t, res) => {
      if (!res.ok) this.failures++;
    });
  }

  /** The host sends through this node now: record it as the holder (fleet). */
  claim(l: Lease): void {
    if (this.node === undefined || this.busy(l.hit, l.leaseId)) return;
    const before = l.node;
    l.node = this.node;
    this.pending.begin(`${l.hit}/${l.leaseId}`);
    const ok = this.jobs.submit({ op: "renew", lease: leaseCopy(l) }, (t, res) => {
      if (!res.ok || res.value === undefined) {
        this.failures++;
        if (l.node === this.node) l.node = before; // try again with the host's next packet
      }
      this.settle(t, l.hit, l.leaseId, res);
    });
    if (!ok) {
      l.node = before;
      this.settle(0, l.hit, l.leaseId, { ok: false, error: "too many lease store writes in flight" });
    }
  }

  /** A lease was created, renewed, moved or claimed (by another node, or ours echoed by the
   *  store's change feed): held while a write of ours to it is in flight (§13.2). */
  changed(now: Millis, remote: Lease): void {
    if (remote.expires <= now) return;
    if (this.pending.hold(`${remote.hit}/${remote.leaseId}`, { kind: "changed", lease: remote, version: remote.version })) return;
    this.apply(now, remote);
  }

  private apply(now: Millis, remote: Lease): void {
    if (remote.expires <= now) return;
    const local = this.leases.store.get(remote.hit, remote.leaseId);
    if (!local) {
      if (this.pending.buried(`${remote.hit}/${remote.leaseId}`, remote.version)) {
        this.staleChanges++;
        return;
      }
      const l = leaseCopy(remote);
      this.leases.adopt(l);
      this.hooks.adopted(l);
      return;
    }
    if (!newer(remote.version, local.version)) {
      if (remote.version! < local.version!) this.staleChanges++; // older than what we hold: never reinstates an old holder
      return;
    }
    this.leases.update(local, { ...mutableOf(remote), expires: Math.max(local.expires, remote.expires) });
    if (remote.version !== undefined) local.version = remote.version;
  }

  /** Another node released a lease (or it expired there); `version`: the removal's (§13.2). */
  removed(hit: string, leaseId: number, version?: number): void {
    if (this.pending.hold(`${hit}/${leaseId}`, { kind: "removed", version })) return;
    this.drop(hit, leaseId, version);
  }

  /** `snapshot`: a reload found the lease gone; it held no write later than `version`. */
  private drop(hit: string, leaseId: number, version: number | undefined, snapshot = false): void {
    const l = this.leases.store.get(hit, leaseId);
    if (!l) {
      this.pending.tombstone(`${hit}/${leaseId}`, version);
      return;
    }
    if (!snapshot && !newer(version, l.version)) {
      this.staleChanges++; // removed, then made again later (our create won)
      return;
    }
    this.pending.tombstone(`${hit}/${leaseId}`, version);
    this.leases.drop(l);
    this.hooks.removed(l);
  }

  /** The store is reachable again: take its state as the truth (leases made or dropped by
   *  other nodes meanwhile). `version`: the store's counter before it read `all`; a lease
   *  absent from `all` but written later than that is kept (§13.2). */
  reload(now: Millis, all: readonly Lease[], version?: number): void {
    const keep = new Set(all.map((l) => `${l.hit}/${l.leaseId}`));
    for (const l of this.leases.store.unexpired(Number.NEGATIVE_INFINITY)) {
      const key = `${l.hit}/${l.leaseId}`;
      if (keep.has(key) || (version !== undefined && l.version !== undefined && l.version > version)) continue;
      // held while we write it: the store's versions decide at the end (settle)
      if (!this.pending.hold(key, { kind: "removed", version })) this.drop(l.hit, l.leaseId, version, true);
    }
    for (const l of all) this.changed(now, l);
  }
}
