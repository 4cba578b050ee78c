// The driver half of the agent's store jobs (src/fa/core/jobs.ts): runs each job against the
// async LeaseStore, completes it with the result, and feeds other fleet nodes' changes (the
// store's watcher) to the agent. `after` drains the agent's answers once a job completes.
import type { ForwardingAgent } from "../core/agent.ts";
import type { StoreJob } from "../core/jobs.ts";
import type { LeaseStore } from "../core/store.ts";

export class StoreDriver {
  /** Jobs run and failed (the store rejected), store outages seen. */
  readonly stats = {
    /** Store jobs run. */
    jobs: 0,
    /** Jobs the store rejected. */
    jobErrors: 0,
    /** Times the store became unreachable. */
    outages: 0,
    /** True while the store is unreachable. */
    down: false,
  };

  constructor(
    private readonly fa: ForwardingAgent,
    private readonly store: LeaseStore,
    private readonly clock: () => number,
    private readonly after: () => void,
    private readonly log: (kind: string, rec: Record<string, unknown>) => void,
  ) {
    store.watch?.({
      changed: (l) => this.step(() => fa.leaseChanged(clock(), l)),
      removed: (hit, id, v) => this.step(() => fa.leaseRemoved(hit, id, v)),
      reloaded: (all, v) => this.step(() => fa.loadLeases(clock(), all, v)),
      down: (down, why) => {
        this.stats.down = down;
        if (down) this.stats.outages++;
        this.log("store-state", { level: down ? "warn" : "info", msg: down ? "lease store unreachable: forwarding from cache, new leases refused" : "lease store reachable again: reloaded", why });
      },
    });
  }

  private step(f: () => void): void {
    f();
    this.after();
  }

  /** Start every job the agent queued. */
  pump(): void {
    for (let j = this.fa.pollJob(); j; j = this.fa.pollJob()) this.run(j);
  }

  private run(j: StoreJob): void {
    this.stats.jobs++;
    let p: Promise<unknown>;
    try {
      if (j.op === "create") p = this.store.create(j.lease);
      else if (j.op === "renew") p = this.store.renew(j.lease);
      else if (j.op === "release") p = this.store.release(j.hit, j.leaseId);
      else p = this.store.expire(j.hit, j.leaseId, j.now);
    } catch (e) {
      p = Promise.reject(e);
    }
    p.then(
      // create/renew: the store stamped the version on the job's lease (§13.2)
      (value) => this.step(() => this.fa.completeJob(this.clock(), j.id, { ok: true, value: value as "ok", version: "lease" in j ? j.lease.version : undefined })),
      (e: unknown) => {
        this.stats.jobErrors++;
        this.step(() => this.fa.completeJob(this.clock(), j.id, { ok: false, error: e instanceof Error ? e.message : String(e) }));
      },
    );
  }
}
