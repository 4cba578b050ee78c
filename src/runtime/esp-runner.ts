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
  /** dataPlane "worker-io": opened batches held back for datagrams the Worker passed up before them (order kept). */
  heldBatches: number;
}

/** What the runner calls back into its host. */
export interface EspRunnerHooks {
  /** After a round's results went into the stack: drain its transmits. */
  flushed(): void;
  /** The Worker died or failed: the runner has stopped. */
  failed(e: Error): void;
  /** `n` sealed packets left from the Worker's own sockets (dataPlane "worker-io"). */
  sent?(n: number): void;
  /** The queued work was taken: the stack's queues have room again. */
  taken?(): void;
}

/** dataPlane "worker-io": where sealed packets go straight from the Worker (worker-io.ts). */
export interface EspRunnerIo {
  /** The destination id of a seal job's packet (0: it comes back to this thread to be sent). */
  destOf(job: SealJob): number;
  /** Registers the seal batch's destination table (one i32 per entry) under its buffer id. */
  table(bufId: number, table: Int32Array): void;
}

type Item = { w: EspWork & { kind: "seal" | "open" }; i: number };
/** An opened batch of the Worker's, waiting for the open jobs queued before it (`ahead`: their count since the start). */
type Held = { batch: EspBatch; n: number; jobs: OpenJob[]; release: () => void; ahead: number };
type Slot = { seal: EspBatch; open: EspBatch; dests: Int32Array | undefined; busy: boolean };

/** Runs a HostStack's deferred ESP work (SA calls, seal / open batches) on a {@link WorkerDataPlane}, in order. */
export class WorkerEspRunner {
  /** Counters. */
  readonly stats: EspRunnerStats = { rounds: 0, batches: 0, sealed: 0, opened: 0, largestBatch: 0, saInstalls: 0, saRemovals: 0, saFailures: 0, heldBatches: 0 };
  private readonly work: DeferredEsp;
  /** DeferredEsp SA id → the Worker's handle (0: refused). */
  private readonly handles = new Map<number, number>();
  /** Batch pairs: one per round that may be in flight. */
  private readonly slots: Slot[] = [];
  /** Completions of the rounds in flight, oldest first. */
  private readonly inflight: Promise<void>[] = [];
  /** worker-io: opened batches waiting for datagrams passed up before them (completeOpened). */
  private readonly held: Held[] = [];
  /** Open jobs of this thread's rounds completed so far (compared with DeferredEsp.opensQueued). */
  private opensDone = 0;
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
    /** The Worker's own sockets (dataPlane "worker-io"). */
    private readonly io?: EspRunnerIo,
    /** Rounds in flight at once (their results still complete in order). */
    readonly depth = 1,
  ) {
    if (!stack.deferred) throw new TypeError("WorkerEspRunner needs a HostStack built with deferEsp");
    this.work = stack.deferred;
    // worker-io: the Worker sends what it sealed, so a finished seal batch needs no wake of this
    // thread; it is settled when a slot is needed, when one of its packets must leave from this
    // thread, with the next opened batch, or within 2 ms (RingClient.setLazy).
    if (io) dataPlane.setLazy(true);
    // Slot-backed batches in ring mode: packets are written into and read from shared memory the
    // worker already knows (no copy on this thread); plain batches in transfer mode.
    for (let d = 0; d < Math.max(1, depth); d++) {
      const seal = dataPlane.batch({ maxPackets: maxBatch });
      const id = dataPlane.bufferId(seal);
      let dests: Int32Array | undefined;
      if (io && id !== undefined) {
        // Per seal entry: the destination the Worker sends it to (0: back here).
        dests = new Int32Array(new SharedArrayBuffer(4 * maxBatch));
        io.table(id, dests);
      }
      this.slots.push({ seal, open: dataPlane.batch({ maxPackets: maxBatch }), dests, busy: false });
    }
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

  /** Stops taking work (pending batches are left to the Worker's fate; held opened batches are given back). */
  stop(): void {
    this.stopped = true;
    this.releaseHeld();
  }

  private async run(): Promise<void> {
    if (this.running || this.stopped) return;
    this.running = true;
    try {
      // Work is taken once a batch pair is free: what arrives meanwhile joins this round.
      while (!this.stopped && !this.slots.some((s) => !s.busy)) await this.oldest();
      const work = this.work.take();
      this.hooks.taken?.();
      for (let i = 0; i < work.length && !this.stopped; ) i = await this.round(work, i);
    } catch (e) {
      this.fail(e);
    } finally {
      this.running = false;
    }
    this.kick(); // what arrived meanwhile
  }

  /** The oldest round in flight, settled as soon as it finishes (lazy ring: asked for). */
  private oldest(): Promise<void> {
    this.dataPlane.needResults();
    return this.inflight[0];
  }

  private fail(e: unknown): void {
    if (this.stopped) return;
    this.stopped = true;
    this.releaseHeld();
    this.hooks.failed(e instanceof Error ? e : new Error(String(e)));
  }

  /**
   * SA calls from `i` on, then one seal and one open batch, started (up to `depth` rounds in
   * flight; results complete in order); returns where the next round starts.
   */
  private async round(work: EspWork[], i: number): Promise<number> {
    this.stats.rounds++;
    if (i < work.length && (work[i].kind === "install" || work[i].kind === "remove")) {
      // A removal waits for the batches before it (they may use the SA).
      while (this.inflight.length) await this.oldest();
      const calls: Promise<void>[] = [];
      for (; i < work.length; i++) {
        const w = work[i];
        if (w.kind === "install") calls.push(this.install(w.id, w));
        else if (w.kind === "remove") calls.push(this.remove(w.id));
        else break;
      }
      // The Worker runs control calls in order; all of them land before the batch below.
      await Promise.all(calls);
    }
    let slot = this.slots.find((s) => !s.busy);
    while (slot === undefined) {
      await this.oldest();
      if (this.stopped) return work.length;
      slot = this.slots.find((s) => !s.busy);
    }
    const dests = slot.dests;
    const seal = slot.seal.reset();
    const open = slot.open.reset();
    const items: Item[] = [];
    for (; i < work.length; i++) {
      const w = work[i];
      if (w.kind === "seal") {
        const job = w.job;
        const h = this.handles.get(job.handle) ?? 0;
        const k = job.udpPseudo === undefined ? seal.addSeal(h, job.nextHeader, job.seg) : seal.addSealUdp(h, job.udpPseudo, job.seg);
        if (k < 0 && seal.count > 0) break; // full: next round
        // A datagram for an REA rides inside it (§6.1.1): never sent on its own from the Worker.
        if (k >= 0 && dests) dests[k] = job.rea ? 0 : (this.io as EspRunnerIo).destOf(job);
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
    // Packets opened here are awaited (by the application, and by any opened batch held for
    // them), and a packet this thread must send itself (a datagram riding in an REA, no
    // destination) too: their batches are settled as soon as they finish, not lazily.
    if (open.count > 0) this.dataPlane.needResults();
    else if (dests) for (let k = 0; k < seal.count; k++) if (dests[k] <= 0) {
      this.dataPlane.needResults();
      break;
    }
    const s = slot;
    s.busy = true;
    const done = Promise.all(runs).then(
      () => {
        s.busy = false;
        this.inflight.shift();
        if (!this.stopped) this.complete(items, seal, open, s.dests);
      },
      (e: unknown) => {
        s.busy = false;
        this.inflight.shift();
        this.fail(e);
      },
    );
    this.inflight.push(done);
    return i;
  }

  /** Results into the stack in queue order (packets copied out to the shared slab: the batches are reused). */
  private complete(items: Item[], seal: EspBatch, open: EspBatch, dests: Int32Array | undefined): void {
    const now = this.clock();
    let sent = 0;
    for (const { w, i } of items) {
      if (w.kind === "seal") {
        this.stats.sealed++;
        const status = i < 0 ? EspStatus.NoSpace : seal.status(i);
        if (status === EspStatus.Ok && dests !== undefined && dests[i] > 0) {
          this.stack.sealSent(now, w.job as SealJob);
          sent++;
          continue;
        }
        this.stack.completeSeal(now, w.job as SealJob, status, status === EspStatus.Ok ? carve(seal.data(i)) : EMPTY);
        continue;
      }
      this.opensDone++;
      this.openOne(now, w.job as OpenJob, open, i);
    }
    if (sent) this.hooks.sent?.(sent);
    this.stack.settle(now);
    this.hooks.flushed();
    if (this.held.length > 0) this.releaseHeld();
  }

  /** One opened packet (entry `i` of `open`; -1: it did not fit) into the stack. */
  private openOne(now: number, job: OpenJob, open: EspBatch, i: number): void {
    this.stats.opened++;
    const ok = i >= 0 && open.status(i) === EspStatus.Ok;
    if (ok) this.work.noteOpened(open.spi(i), open.seq(i));
    this.stack.completeOpen(now, job, {
      status: i < 0 ? EspStatus.NoSpace : open.status(i),
      spi: i < 0 ? 0 : open.spi(i),
      seq: i < 0 ? 0 : open.seq(i),
      nextHeader: ok ? open.nextHeader(i) : 0,
      payload: ok ? carve(open.data(i)) : EMPTY,
      payloadSum: ok ? open.payloadSum(i) : undefined, // the BEET UDP check needs no pass over the bytes here
    });
  }

  /**
   * dataPlane "worker-io": a batch the Worker received and opened itself (entry i is jobs[i]),
   * into the stack like the results of a round. Returns true when it is held (then `release` is
   * called once it went in, or the runner stopped): datagrams the Worker passed up raw before it
   * (an SA it had not installed yet, e.g. the first ones on a rekey's new inbound SA) are opened
   * by a round of this thread, and the batch waits for them, so arrival order is kept.
   */
  completeOpened(batch: EspBatch, n: number, jobs: OpenJob[], release: () => void): boolean {
    if (this.stopped) return false;
    this.dataPlane.poll(); // awake anyway: settle the seal batches that finished meanwhile
    const ahead = this.work.opensQueued;
    if (this.held.length === 0 && this.opensDone >= ahead) {
      this.deliverOpened(batch, n, jobs);
      return false;
    }
    this.held.push({ batch, n, jobs, release, ahead });
    this.stats.heldBatches++;
    this.dataPlane.needResults();
    return true;
  }

  private deliverOpened(batch: EspBatch, n: number, jobs: OpenJob[]): void {
    const now = this.clock();
    for (let i = 0; i < n; i++) this.openOne(now, jobs[i], batch, i);
    this.stack.settle(now);
    this.hooks.flushed();
  }

  /** Held opened batches whose earlier datagrams are all opened now go in, in order. */
  private releaseHeld(): void {
    while (this.held.length > 0 && (this.stopped || this.held[0].ahead <= this.opensDone)) {
      const h = this.held.shift() as Held;
      try {
        if (!this.stopped) this.deliverOpened(h.batch, h.n, h.jobs);
      } finally {
        h.release();
      }
    }
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
