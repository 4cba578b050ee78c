// LeaseStore: where a Forwarding Agent keeps its address leases durably (§4.4.1), possibly
// shared by several FA nodes (a fleet, docs/PROTOCOL.md §13). Asynchronous: the sans-I/O agent
// never calls it; it emits StoreJobs (agent.ts) that the driver (src/fa/server) runs against a
// LeaseStore and completes. The agent's LeaseCache (cache.ts) serves every lookup on the
// forwarding path; implementations live in src/fa/store (memory, SQLite, Redis).
import type { Millis } from "../../core/types.ts";
import type { Lease } from "./lease.ts";

/** Changes made by other writers of a shared store (other fleet nodes). */
export interface LeaseWatcher {
  /** A lease was created, renewed, moved or claimed by another node. */
  changed(lease: Lease): void;
  /** A lease was released or expired; `version`: the store's change counter of the removal (§13.2). */
  removed(hit: string, leaseId: number, version?: number): void;
  /** The store was unreachable and is back (or the feed was resubscribed): `leases` is
   *  everything it holds now; `version`: its change counter read before them (§13.2). */
  reloaded(leases: Lease[], version?: number): void;
  /** The store became unreachable (true) or reachable again (false). */
  down?(down: boolean, why: string): void;
}

/** A durable lease store (memory, SQLite, Redis): the FA writes every lease through it (docs/PROTOCOL.md §13). */
export interface LeaseStore {
  /** Every lease held with expires > now (at start; a restart loses nothing). */
  load(now: Millis): Promise<Lease[]>;
  /** A new lease. Atomic: it claims (hit, leaseId), its SPI blocks (addr type 4) or its
   *  dedicated locator (addr type 6) all at once, or nothing ("conflict": another writer holds
   *  one of them). Rejects when the store fails or is unreachable. A shared store stamps every
   *  write (create, renew, removal) with the next value of one fleet-wide counter and sets
   *  `lease.version` on the lease passed in (docs/PROTOCOL.md §13.2). */
  create(lease: Lease): Promise<"ok" | "conflict">;
  /** A renewal, a move (new host locator) or a holder change. The stored expiry becomes
   *  max(stored, lease.expires): a renewal never shortens a lease (§4.4.1). Resolves to the
   *  stored expiry, or undefined when the store no longer holds the lease. */
  renew(lease: Lease): Promise<Millis | undefined>;
  /** A release (zero lifetime, §4.4.1). */
  release(hit: string, leaseId: number): Promise<void>;
  /** Drop the lease if its stored expiry is <= now (another node may have renewed it). */
  expire(hit: string, leaseId: number, now: Millis): Promise<boolean>;
  /** Shared stores: report other writers' changes (the driver feeds them to the agent). */
  watch?(w: LeaseWatcher): void;
  /** Close the store. */
  close(): Promise<void> | void;
}
