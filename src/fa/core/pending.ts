// Ordering a fleet node's own lease writes against other nodes' changes (docs/PROTOCOL.md §13.2).
// A shared store stamps every write with the next value of one fleet-wide counter (the lease's
// `version`). A node learns of its own write by the store's reply and of everyone's (its own too)
// by the change feed; the two travel apart (Redis: command vs subscriber connection), so a change
// may arrive before or after the reply of an earlier or later write. Rules:
//  - a cache applies a change only when its version is newer than the one it holds;
//  - while a write of its own to that lease is in flight, changes are held (the newest one), and
//    when the last such write ends the held change is applied only if it is newer than every
//    write of ours that the store took: the store's order, not the arrival order, decides;
//  - a removal leaves a tombstone (its version) so an older change cannot bring the lease back.
import type { Lease } from "./lease.ts";

/** A change another writer made, held while our own write of that lease is in flight. */
export type HeldChange = { kind: "changed"; lease: Lease; version?: number } | { kind: "removed"; version?: number };

interface Entry {
  /** Our writes of this lease in flight. */
  writes: number;
  /** Highest version the store stamped on those of them that ended. */
  own: number;
  held?: HeldChange;
}

/** Most tombstones kept (oldest forgotten first): bounded state. */
const TOMBSTONES = 16_384;

/** `a` is newer than `b`; without versions (a store that is not shared) arrival order decides. */
export function newer(a: number | undefined, b: number | undefined): boolean {
  return a === undefined || b === undefined || a > b;
}

export class PendingWrites {
  private readonly m = new Map<string, Entry>();
  private readonly gone = new Map<string, number>();

  /** A write of lease `key` starts. */
  begin(key: string): void {
    const e = this.m.get(key);
    if (e) e.writes++;
    else this.m.set(key, { writes: 1, own: 0 });
  }

  /** Hold change `c` if a write of `key` is in flight (keeps the newest): true when held. */
  hold(key: string, c: HeldChange): boolean {
    const e = this.m.get(key);
    if (!e) return false;
    if (!e.held || newer(c.version, e.held.version)) e.held = c;
    return true;
  }

  /** A write of `key` ended (`version`: the store took it). While others are in flight: undefined.
   *  Else the highest version of ours and the held change to apply (newer than all of ours). */
  end(key: string, version: number | undefined): { own: number; held?: HeldChange } | undefined {
    const e = this.m.get(key);
    if (!e) return undefined;
    if (version !== undefined && version > e.own) e.own = version;
    if (--e.writes > 0) return undefined;
    this.m.delete(key);
    // an unversioned change cannot be ordered against our write: ours stands (as before §13.2)
    const held = e.held?.version !== undefined && e.held.version > e.own ? e.held : undefined;
    return { own: e.own, held };
  }

  /** Lease `key` was removed at `version` (ours: the last version we knew). */
  tombstone(key: string, version: number | undefined): void {
    if (version === undefined) return;
    const v = Math.max(version, this.gone.get(key) ?? 0);
    this.gone.delete(key); // re-inserted last: the oldest is forgotten first
    this.gone.set(key, v);
    if (this.gone.size > TOMBSTONES) this.gone.delete(this.gone.keys().next().value as string);
  }

  /** A change at `version` of a lease we do not hold is older than its removal. */
  buried(key: string, version: number | undefined): boolean {
    const g = this.gone.get(key);
    return g !== undefined && version !== undefined && version <= g;
  }
}
