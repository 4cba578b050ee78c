// Shared-memory batch ring between WorkerDataPlane and the ESP Worker: no message per batch.
// A control SharedArrayBuffer holds two counters and SLOTS slot descriptors; each descriptor
// names the shared buffer that holds the batch (docs/PROTOCOL.md §6). Buffers are registered
// with the worker once, on the batch MessagePort, under a numeric id: either a batch's own
// buffer (slot-backed EspBatch from RingClient.batch(): callers fill it and read results in
// place, nothing is copied) or a per-slot staging buffer the bytes of any other EspBatch are
// copied into and back from. The client publishes batch k in slot k mod SLOTS and bumps HEAD
// (Atomics.notify); the worker runs slots in order and bumps TAIL; the client waits on TAIL with
// Atomics.waitAsync. Wakes are batched (virtio-style event index): the client stores in WAKE_AT
// the TAIL it wants to be woken at (half its outstanding batches done) and the worker notifies
// once on reaching it (then disarms WAKE_AT), so a deep pipeline costs one client wake per several
// batches. Lazy mode (setLazy) arms no waiter unless asked (needResults) and retires on the next
// look or a 2 ms fallback timer: no wake at all per batch. Needs
// SharedArrayBuffer + Atomics.waitAsync (Node ≥ 16, Chromium; browsers only when
// crossOriginIsolated); otherwise WorkerDataPlane transfers buffers instead.
import { type BatchOp, EspBatch, type EspBatchOptions } from "./espbatch.ts";
import { nextTask } from "../core/next-task.ts";

export const RING_SLOTS = 16;
/** The worker loop yields to its event loop (control calls, buffer messages) after this much work. */
const YIELD_MS = 4;
const HEAD = 0; // batches published by the client
const TAIL = 1; // batches completed by the worker
const CLOSED = 2; // set to 1 when the client closes the ring
const WAKE_AT = 3; // the worker notifies TAIL only once TAIL reaches this (set by the waiting client)
/** WAKE_AT this far ahead of TAIL: nobody waits (no notify). */
const DISARMED = 1 << 30;
const SLOT0 = 4; // slot descriptors: 8 i32 each
// Slot fields.
const F_OP = 0; // 1 seal, 2 open
const F_N = 1;
const F_SIZE = 2;
const F_OK = 3;
const F_ERR = 4; // 1 when the worker could not run the batch
const F_BUF = 5; // id of the registered buffer holding the batch
const SLOT_WORDS = 8;
const CTRL_BYTES = (SLOT0 + RING_SLOTS * SLOT_WORDS) * 4;
const MIN_STAGING = 64 * 1024;
/** Lazy completion (RingClient.setLazy): the longest a finished batch waits to be retired. */
const LAZY_MS = 2;

type WaitAsync = (
  a: Int32Array, i: number, v: number,
) => { async: false; value: string } | { async: true; value: Promise<string> };
const waitAsync = (Atomics as unknown as { waitAsync?: WaitAsync }).waitAsync;

/**
 * a > b for batch counters that live in i32 words and wrap after 2^31 batches (about 38 h at
 * 1 M packets/s in batches of 64): compares the difference modulo 2^32.
 */
const after = (a: number, b: number): boolean => ((a - b) | 0) > 0;

/** True when this realm can run the ring (SharedArrayBuffer usable and Atomics.waitAsync present). */
export function ringSupported(): boolean {
  const g = globalThis as { crossOriginIsolated?: boolean; document?: unknown };
  if (typeof SharedArrayBuffer === "undefined" || typeof waitAsync !== "function") return false;
  // Window contexts need cross-origin isolation to share memory with a Worker (postMessage of a SAB).
  return g.document === undefined || g.crossOriginIsolated === true;
}

/** Messages on the batch port that set up the ring (sent before HEAD moves past their use). */
export type RingMessage =
  | { ring: "attach"; ctrl: SharedArrayBuffer }
  | { ring: "buffer"; id: number; buf: SharedArrayBuffer }
  | { ring: "drop"; id: number };

interface Pending {
  seq: number;
  op: BatchOp;
  batch: EspBatch;
  /** Staging slot the batch was copied into (-1: it ran in its own registered buffer). */
  staged: number;
  resolve(b: EspBatch): void;
  reject(e: Error): void;
}

interface Registered {
  id: number;
  buf: SharedArrayBuffer;
}

/** Client side (the thread that owns the EspBatches). */
export class RingClient {
  private readonly ctrl = new Int32Array(new SharedArrayBuffer(CTRL_BYTES));
  private readonly staging: Uint8Array[] = [];
  private readonly stagingIds = new Int32Array(RING_SLOTS);
  /** Slot-backed batches made by batch(), with the id of their buffer in the worker. */
  private readonly owned = new WeakMap<EspBatch, Registered>();
  private readonly collected: FinalizationRegistry<number> | undefined;
  private nextId = 1;
  /** Batches submitted / published to the worker / retired; pending holds the not yet retired, in order. */
  private submitted = 0;
  private published = 0;
  private retired = 0;
  private readonly pending: Pending[] = [];
  private watching = false;
  private dead: Error | undefined;
  /** Lazy completion (setLazy): no wake per finished batch unless someone asked (prompt). */
  private lazy = false;
  /** Lazy mode: batches before this one (by submission) are settled as soon as they finish. */
  private promptUntil = 0;
  private fallback: ReturnType<typeof setTimeout> | undefined;
  /** Waits armed on TAIL so far: each is a cross-thread wake of this thread when it fires. */
  waits = 0;

  constructor(private readonly post: (m: RingMessage) => void) {
    this.ctrl[WAKE_AT] = DISARMED;
    post({ ring: "attach", ctrl: this.ctrl.buffer as SharedArrayBuffer });
    // A dropped slot-backed batch releases its buffer in the worker too.
    this.collected =
      typeof FinalizationRegistry === "function"
        ? new FinalizationRegistry((id) => {
            if (!this.dead) this.post({ ring: "drop", id });
          })
        : undefined;
  }

  /**
   * A batch living in shared memory the worker already knows: process() only publishes its
   * descriptor, and results are read in place (no copy either way).
   */
  batch(opts: Omit<EspBatchOptions, "shared"> = {}): EspBatch {
    const b = new EspBatch({ ...opts, shared: true });
    const r: Registered = { id: this.nextId++, buf: b.bytes.buffer as SharedArrayBuffer };
    this.post({ ring: "buffer", id: r.id, buf: r.buf });
    this.owned.set(b, r);
    this.collected?.register(b, r.id);
    return b;
  }

  /** True when `b` came from batch() (runs in place). */
  owns(b: EspBatch): boolean {
    return this.owned.has(b);
  }

  /** The id the worker knows `b`'s buffer by (batches from batch() only). */
  bufferId(b: EspBatch): number | undefined {
    return this.owned.get(b)?.id;
  }

  /**
   * Runs `batch` in the worker (in place, or through a staging copy); resolves in submission
   * order. Clears `batch.inFlight` when it settles (the caller sets it).
   */
  process(op: BatchOp, batch: EspBatch): Promise<EspBatch> {
    if (this.dead) {
      batch.inFlight = false;
      return Promise.reject(this.dead);
    }
    const seq = this.submitted++;
    const done = new Promise<EspBatch>((resolve, reject) =>
      this.pending.push({ seq, op, batch, staged: -1, resolve, reject }),
    );
    this.pump();
    return done;
  }

  /**
   * Lazy completion: finished batches are retired when this thread looks anyway (the next
   * process() or poll()), when someone waits for one (needResults()), or at the latest LAZY_MS
   * after the oldest was published — not by a cross-thread wake per batch. For a caller whose
   * results need no prompt answer (worker-io: the worker sends what it sealed): each wake costs
   * both threads a context switch and the waker an eventfd write.
   */
  setLazy(on: boolean): void {
    this.lazy = on;
    this.pump();
  }

  /** Retires what has finished (no waiting). */
  poll(): void {
    this.pump();
  }

  /** Someone waits for the batches submitted so far: be woken as they finish (lazy mode; always so otherwise). */
  needResults(): void {
    if (this.promptUntil === this.submitted) return;
    this.promptUntil = this.submitted;
    this.pump();
  }

  /** Rejects everything pending and tells the worker loop to stop. */
  fail(e: Error): void {
    if (this.dead) return;
    this.dead = e;
    if (this.fallback !== undefined) clearTimeout(this.fallback);
    this.fallback = undefined;
    Atomics.store(this.ctrl, CLOSED, 1);
    Atomics.notify(this.ctrl, HEAD);
    for (const p of this.pending.splice(0)) {
      p.batch.inFlight = false;
      p.reject(e);
    }
  }

  /**
   * Retires finished batches (copy back if staged, resolve) and publishes waiting ones, both in
   * submission order; keeps one Atomics.waitAsync on TAIL while anything is outstanding.
   */
  private pump(): void {
    if (this.dead) return;
    const c = this.ctrl;
    const tail = Atomics.load(c, TAIL);
    while (after(tail, this.retired)) this.retire(this.pending.shift() as Pending);
    // Slot k mod SLOTS is free once batch k - SLOTS has been retired.
    const before = this.published;
    for (let i = this.published - this.retired; i < this.pending.length; i++) {
      const p = this.pending[i];
      if (p.seq - this.retired >= RING_SLOTS) break;
      this.publish(p);
    }
    if (this.published !== before) {
      Atomics.store(c, HEAD, this.published);
      Atomics.notify(c, HEAD);
    }
    if (this.watching || this.pending.length === 0) return;
    if (this.lazy && !after(this.promptUntil, this.retired)) {
      // Retired on the next look; at the latest LAZY_MS from now (one timer while any is pending).
      this.fallback ??= setTimeout(() => {
        this.fallback = undefined;
        this.needResults();
      }, LAZY_MS);
      return;
    }
    // Be woken once half the outstanding batches are done (at least the oldest): the caller then
    // refills several slots per wake while the worker still has the other half to run. Each wake
    // is a cross-thread task post; one per batch cost ~25% of 64 B throughput in Chromium.
    const want = this.retired + Math.max(1, (this.published - this.retired) >> 1);
    Atomics.store(c, WAKE_AT, want);
    // Re-read TAIL after publishing WAKE_AT (the worker reads WAKE_AT after storing TAIL).
    const seen = Atomics.load(c, TAIL);
    if (!after(want, seen)) {
      queueMicrotask(() => this.pump());
      return;
    }
    const r = (waitAsync as WaitAsync)(c, TAIL, seen);
    if (!r.async) {
      queueMicrotask(() => this.pump());
      return;
    }
    this.watching = true;
    this.waits++;
    r.value.then(() => {
      this.watching = false;
      this.pump();
    });
  }

  private publish(p: Pending): void {
    const s = p.seq % RING_SLOTS;
    const size = p.batch.size;
    const own = this.owned.get(p.batch);
    let id: number;
    if (own !== undefined && p.batch.bytes.buffer === own.buf) {
      id = own.id;
    } else {
      id = this.stage(s, size);
      this.staging[s].set(p.batch.bytes.subarray(0, size));
      p.staged = s;
    }
    const d = SLOT0 + s * SLOT_WORDS;
    const c = this.ctrl;
    c[d + F_OP] = p.op === "seal" ? 1 : 2;
    c[d + F_N] = p.batch.count;
    c[d + F_SIZE] = size;
    c[d + F_BUF] = id;
    this.published = p.seq + 1;
  }

  /** The staging buffer of slot `s`, replaced (and announced) when `size` outgrows it; returns its id. */
  private stage(s: number, size: number): number {
    const st = this.staging[s];
    if (st !== undefined && st.length >= size) return this.stagingIds[s];
    let cap = MIN_STAGING;
    while (cap < size) cap *= 2;
    const buf = new SharedArrayBuffer(cap);
    if (st !== undefined) this.post({ ring: "drop", id: this.stagingIds[s] });
    const id = this.nextId++;
    this.post({ ring: "buffer", id, buf });
    this.staging[s] = new Uint8Array(buf);
    this.stagingIds[s] = id;
    return id;
  }

  private retire(p: Pending): void {
    const d = SLOT0 + (p.seq % RING_SLOTS) * SLOT_WORDS;
    this.retired++;
    p.batch.inFlight = false;
    if (this.ctrl[d + F_ERR] !== 0) {
      p.reject(new Error("ESP worker: batch failed"));
      return;
    }
    if (p.staged >= 0) p.batch.bytes.set(this.staging[p.staged].subarray(0, this.ctrl[d + F_SIZE]));
    p.batch.ok = this.ctrl[d + F_OK];
    p.resolve(p.batch);
  }
}

/** Worker side: runs published slots in order with `run(op, bytes, n, size, id)` (id: the buffer's) until the client closes. */
export class RingServer {
  private readonly ctrl: Int32Array;
  private readonly buffers = new Map<number, Uint8Array>();
  private readonly arrived: (() => void)[] = [];
  private done = 0;

  constructor(ctrl: SharedArrayBuffer, private readonly run: (op: BatchOp, buf: Uint8Array, n: number, size: number, id: number) => number) {
    this.ctrl = new Int32Array(ctrl);
    void this.loop();
  }

  /** A ring message other than attach: a buffer registered or dropped by the client. */
  message(m: RingMessage): void {
    if (m.ring === "buffer") {
      this.buffers.set(m.id, new Uint8Array(m.buf));
      for (const f of this.arrived.splice(0)) f();
    } else if (m.ring === "drop") {
      this.buffers.delete(m.id);
    }
  }

  private async loop(): Promise<void> {
    const c = this.ctrl;
    let yielded = performance.now();
    while (Atomics.load(c, CLOSED) === 0) {
      const head = Atomics.load(c, HEAD);
      if (!after(head, this.done)) {
        const r = (waitAsync as WaitAsync)(c, HEAD, head);
        if (r.async) {
          await r.value;
          yielded = performance.now();
        }
        continue;
      }
      const d = SLOT0 + (this.done % RING_SLOTS) * SLOT_WORDS;
      // The message registering the buffer may still be in flight: let the event loop deliver it.
      let buf = this.buffers.get(c[d + F_BUF]);
      while (buf === undefined) {
        await new Promise<void>((r) => this.arrived.push(r));
        if (Atomics.load(c, CLOSED) !== 0) return;
        buf = this.buffers.get(c[d + F_BUF]);
      }
      try {
        c[d + F_OK] = this.run(c[d + F_OP] === 1 ? "seal" : "open", buf, c[d + F_N], c[d + F_SIZE], c[d + F_BUF]);
        c[d + F_ERR] = 0;
      } catch {
        c[d + F_ERR] = 1;
      }
      this.done++;
      Atomics.store(c, TAIL, this.done);
      // Notify once per armed WAKE_AT: a notify to a waiting thread costs the notifier ~30 µs of
      // wall time in Chromium on a busy 2-core machine (the woken thread preempts it).
      const wake = Atomics.load(c, WAKE_AT);
      if (!after(wake, this.done)) {
        Atomics.compareExchange(c, WAKE_AT, wake, (this.done + DISARMED) | 0);
        Atomics.notify(c, TAIL);
      }
      // Let control messages (install/remove SA) in between long bursts: every YIELD_MS of
      // work. A yield (a task round trip) is not free: once per 16 batches of 64 B packets
      // (~1 ms) cost 10-20% of Worker throughput in Chromium.
      if (performance.now() - yielded >= YIELD_MS) {
        await macrotask();
        yielded = performance.now();
      }
    }
  }
}

/** Resolves on a fresh event-loop task (a MessageChannel round trip, not a clamped timer). */
function macrotask(): Promise<void> {
  return new Promise<void>((r) => nextTask(r));
}
