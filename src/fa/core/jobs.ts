// Store jobs: how the sans-I/O agent writes leases through to a durable (possibly shared,
// asynchronous) LeaseStore (store.ts). The agent decides on its LeaseCache at once, queues a
// job, and answers the FAQ (FAA, or FAD STORE_FAILED after undoing) only when the driver
// completes the job: no FAA names a lease the store does not hold (docs/ARCHITECTURE.md).
import type { Millis } from "../../core/types.ts";
import type { Lease } from "./lease.ts";

export type StoreJob =
  | { id: number; op: "create"; lease: Lease }
  | { id: number; op: "renew"; lease: Lease }
  | { id: number; op: "release"; hit: string; leaseId: number }
  | { id: number; op: "expire"; hit: string; leaseId: number; now: Millis };

/** What the driver reports: the store's answer, or the error it failed with. */
/** `version`: the change counter a shared store stamped on this write (create, renew; §13.2). */
export type StoreResult = { ok: true; value?: "ok" | "conflict" | Millis | boolean; version?: number } | { ok: false; error: string };

export type JobBody = StoreJob extends infer J ? (J extends StoreJob ? Omit<J, "id"> : never) : never;

/** Jobs waiting for the driver (queued) or for their result (running), bounded. */
export class JobQueue {
  private next = 1;
  private readonly queued: StoreJob[] = [];
  private readonly running = new Map<number, (now: Millis, r: StoreResult) => void>();

  constructor(private readonly max: number) {}

  get pending(): number {
    return this.running.size;
  }

  /** Queue a job; false when `max` jobs are already in flight (the caller refuses or skips). */
  submit(body: JobBody, done: (now: Millis, r: StoreResult) => void): boolean {
    if (this.running.size >= this.max) return false;
    const id = this.next++;
    this.queued.push({ id, ...body } as StoreJob);
    this.running.set(id, done);
    return true;
  }

  poll(): StoreJob | undefined {
    return this.queued.shift();
  }

  complete(now: Millis, id: number, r: StoreResult): void {
    const done = this.running.get(id);
    if (!done) return;
    this.running.delete(id);
    done(now, r);
  }
}

/** A copy the driver may keep (the agent mutates its cached lease in place). */
export function leaseCopy(l: Lease): Lease {
  return { ...l, locator: { ...l.locator }, host: { ...l.host } };
}
