// Runs the ESP work of a deferred HostStack (esp-work.ts) in a WorkerDataPlane (src/esp/remote.ts):
// what one event-loop turn queued (app datagrams to seal, ESP datagrams to open) goes to the
// Worker as ONE seal and ONE open EspBatch of up to `maxBatch` packets each (shared-memory slots, or buffers transferred,
// not copied), and the results are completed in queue order (transmit / deliver). SA installs
// and removals go over the Worker's control API in queue order too: an install is awaited before
// the batch that uses its SA, a removal waits for the batch before it. One round in flight at a
// time; what arrives meanwhile forms the next round (the batch grows with the load).
// No node: imports (Node, Deno, browsers).
import { carve } from "../core/slab.ts";
import type { Millis } from "../core/types.ts";
import type { EspBatch } from "../esp/espbatch.ts";
import type { WorkerDataPlane } from "../esp/remote.ts";
import { EspStatus } from "../esp/types.ts";
import type { DeferredEsp, EspWork, OpenJob, SealJob } from "./esp-work.ts";
import type { HostStack } from "./stack.ts";

const EMPTY = new Uint8Array(0);

/** Runs `cb` on the next turn of the event loop, after this turn's I/O callbacks. */
export function nextTurn(cb: () => void): void {
  const g = globalThis as { setImmediate?: (cb: () => void) => unknown };
  if (typeof g.setImmediate === "function") g.setImmediate(cb);
  else if (typeof MessageChannel === "function") viaChannel(cb);
  else setTimeout(cb, 0);
}

// Browsers: a message to ourselves (setTimeout(0) is clamped to 4 ms when nested). Made on
// first use: some runtimes (workerd) allow no such objects at module scope.
let channel: { port: MessagePort; queue: (() => void)[] } | undefined;
function viaChannel(cb: () => void): void {
  if (!channel) {
    const ch = new MessageChannel();
    const c = { port: ch.port2, queue: [] as (() => void)[] };
    ch.port1.onmessage = () => c.queue.shift()?.();
    channel = c;
  }
  channel.queue.push(cb);
  channel.port.postMessage(0);
}

/** Counters of a {@link WorkerEspRunner}. */
export interface EspRunnerStats {
  /** Rounds run (SA calls + at most one seal and one open batch each). */
  rounds: number;
  /** Batches sent to the Worker. */
  batches: number;
  /** Packets sealed. */
  sealed: number;
  /** Packets opened. */
  opened: number;
  /** Most packets in one batch. */
  largestBatch: number;
  /** SAs installed in the Worker. */
  saInstalls: number;
  /** SAs removed. */
  saRemovals: number;
  /** SA installs the Worker refused (the SA's packets then fail with BadSa / UnknownSpi). */
  saFailures: number;
}

/** What the runner calls back into its host. */
export interface EspRunnerHooks {
  /** After a round's results went into the stack: drain its transmits. */
  flushed(): void;
  /** The Worker died or failed: the runner has stopped. */
  failed(e: Error): void;
}

type Item = { w: EspWork & { kind: "seal" | "open" }; i: number };

/** Runs a HostStack's deferred ESP work (SA calls, seal / open batches) on a {@link WorkerDataPlane}, in order. */
export class WorkerEspRunner {
  /** Counters. */
  readonly stats: EspRunnerStats = { rounds: 0, batches: 0, sealed: 0, opened: 0, largestBatch: 0, saInstalls: 0, saRemovals: 0, saFailures: 0 };
  private readonly work: DeferredEsp;
  /** DeferredEsp SA id → the Worker's handle (0: refused). */
  private readonly handles = new Map<number, number>();
  private readonly sealBatch: EspBatch;
  private readonly openBatch: EspBatch;
  private scheduled = false;
  private running = false;
  private stopped = false;

  constructor(
    private readonly stack: HostStack,
    /** The Worker data plane. */
    readonly dataPlane: WorkerDataPlane,
    private readonly clock: () => Millis,
    private readonly hooks: EspRunnerHooks,
    /** Most packets per batch. */
    readonly maxBatch = 64,
  ) {
    if (!stack.deferred) throw new TypeError("WorkerEspRunner needs a HostStack built with deferEsp");
    this.work = stack.deferred;
    // Slot-backed batches in ring mode: packets are written into and read from shared memory the
    // worker already knows (no copy on this thread); plain batches in transfer mode.
    this.sealBatch = dataPlane.batch({ maxPackets: maxBatch });
    this.openBatch = dataPlane.batch({ maxPackets: maxBatch });
  }

  /** Call after feeding the stack: runs the queued work on the next turn. */
  kick(): void {
    if (this.scheduled || this.running || this.stopped || this.work.pending === 0) return;
    this.scheduled = true;
    nextTurn(() => {
      this.scheduled = false;
      void this.run();
    });
  }

  /** Stops taking work (pending batches are left to the Worker's fate). */
  stop(): void {
    this.stopped = true;
  }

  private async run(): Promise<void> {
    if (this.running || this.stopped) return;
    this.running = true;
    try {
      const work = this.work.take();
      for (let i = 0; i < work.length && !this.stopped; ) i = await this.round(work, i);
    } catch (e) {
      if (!this.stopped) {
        this.stopped = true;
        this.hooks.failed(e instanceof Error ? e : new Error(String(e)));
      }
    } finally {
      this.running = false;
    }
    this.kick(); // what arrived meanwhile
  }

  /** SA calls from `i` on, then one seal and one open batch; returns where the next round starts. */
  private async round(work: EspWork[], i: number): Promise<number> {
    this.stats.rounds++;
    const calls: Promise<void>[] = [];
    for (; i < work.length; i++) {
      const w = work[i];
      if (w.kind === "install") calls.push(this.install(w.id, w));
      else if (w.kind === "remove") calls.push(this.remove(w.id));
      else break;
    }
    // The Worker runs control calls in order; all of them land before the batch below.
    if (calls.length) await Promise.all(calls);
    const seal = this.sealBatch.reset();
    const open = this.openBatch.reset();
    const items: Item[] = [];
    for (; i < work.length; i++) {
      const w = work[i];
      if (w.kind === "seal") {
        const job = w.job;
        const h = this.handles.get(job.handle) ?? 0;
        const k = job.udpPseudo === undefined ? seal.addSeal(h, job.nextHeader, job.seg) : seal.addSealUdp(h, job.udpPseudo, job.seg);
        if (k < 0 && seal.count > 0) break; // full: next round
        items.push({ w, i: k });
      } else if (w.kind === "open") {
        const k = open.addOpen(w.job.data);
        if (k < 0 && open.count > 0) break;
        items.push({ w, i: k });
      } else break;
    }
    if (items.length === 0) return i;
    const runs: Promise<EspBatch>[] = [];
    for (const [op, b] of [["seal", seal], ["open", open]] as const) {
      if (b.count === 0) continue;
      this.stats.batches++;
      this.stats.largestBatch = Math.max(this.stats.largestBatch, b.count);
      runs.push(this.dataPlane.process(op, b));
    }
    await Promise.all(runs);
    if (this.stopped) return work.length;
    this.complete(items, seal, open);
    return i;
  }

  /** Results into the stack in queue order (packets copied out to the shared slab: the batches are reused). */
  private complete(items: Item[], seal: EspBatch, open: EspBatch): void {
    const now = this.clock();
    for (const { w, i } of items) {
      if (w.kind === "seal") {
        this.stats.sealed++;
        const status = i < 0 ? EspStatus.NoSpace : seal.status(i);
        this.stack.completeSeal(now, w.job as SealJob, status, status === EspStatus.Ok ? carve(seal.data(i)) : EMPTY);
        continue;
      }
      this.stats.opened++;
      const ok = i >= 0 && open.status(i) === EspStatus.Ok;
      if (ok) this.work.noteOpened(open.spi(i), open.seq(i));
      this.stack.completeOpen(now, w.job as OpenJob, {
        status: i < 0 ? EspStatus.NoSpace : open.status(i),
        spi: i < 0 ? 0 : open.spi(i),
        seq: i < 0 ? 0 : open.seq(i),
        nextHeader: ok ? open.nextHeader(i) : 0,
        payload: ok ? carve(open.data(i)) : EMPTY,
        payloadSum: ok ? open.payloadSum(i) : undefined, // the BEET UDP check needs no pass over the bytes here
      });
    }
    this.stack.settle(now);
    this.hooks.flushed();
  }

  private async install(id: number, w: EspWork & { kind: "install" }): Promise<void> {
    this.stats.saInstalls++;
    try {
      this.handles.set(id, await this.dataPlane.installSa(w.sa));
    } catch (e) {
      if (this.dataPlane.error) throw this.dataPlane.error;
      this.stats.saFailures++; // refused (duplicate SPI, table full): its packets fail alone
      this.handles.set(id, 0);
      void e;
    }
  }

  private async remove(id: number): Promise<void> {
    this.stats.saRemovals++;
    const h = this.handles.get(id);
    this.handles.delete(id);
    if (h) await this.dataPlane.removeSa(h);
  }
}
