// Runs INSIDE the ESP Worker: the Worker's own UDP sockets, so the data path stays in the Worker
// end to end (dataPlane "worker-io", worker-io.ts is the main-thread side). Runtime-neutral: the
// entry modules io-worker-node.ts (node:dgram) and io-worker-deno.ts (Deno.listenDatagram) give
// it a socket binder and a "next task" scheduler; WorkerDataPlane.extend() loads one of them.
// Inbound ESP whose SPI names one of our inbound SAs is opened here, one batch per event-loop
// turn, and only the results cross to the main thread (a shared batch from a small pool); every
// other datagram (HIP control, unknown SPI, NAT keepalives) crosses raw. Sealed packets whose
// entry in the main thread's destination table names a socket and a peer leave from here and
// never go back. Bounded: IO_POOL batches in flight to the main thread, then a backlog of
// `limits.workerIoBacklog` datagrams, and `limits.workerIoRaw` raw datagrams in flight (set by the
// main thread, defaults HIP_LIMITS); beyond, dropped and counted
// (a main thread that cannot keep up loses datagrams, as a full kernel socket buffer would).
import { Slab } from "../core/slab.ts";
import type { Locator } from "../core/types.ts";
import { EspBatch } from "../esp/espbatch.ts";
import { EspStatus } from "../esp/types.ts";
import type { EspWorkerContext } from "../esp/worker.ts";
import type { DatagramSocket } from "../transport/types.ts";
import { HIP_LIMITS } from "../hip/limits.ts";
import { IO_BATCH, IO_POOL, type IoToMain, type IoToWorker, SH_BACKLOG, SH_BUSY, SH_RAW, workerIoLimits } from "./worker-io.ts";

/** Sealed packets the Worker keeps while a destination's "dest" message is on its way (then: back to the main thread). */
const IO_MAX_WAITING = 4096;

/** What a runtime gives the Worker's socket half. */
export interface IoEnv {
  /** Binds a UDP socket in this Worker (port 0: any). */
  bind(ip: string, port: number, recvBufferSize: number | undefined): Promise<DatagramSocket>;
  /** Runs `f` in a later task, after the datagrams already queued are delivered (Node: setImmediate). */
  soon(f: () => void): void;
}

interface Dest {
  sock: number;
  to: Locator;
}

/** The Worker's socket half: its sockets, the opened batches it hands up, the sealed packets it sends. */
export class IoWorker {
  private readonly socks = new Map<number, DatagramSocket>();
  private readonly reported = new Map<number, { total: number; recv: number }>();
  private dests = new Map<number, Dest>();
  /** The table before the last "dests-reset": batches already in the ring may still name its ids. */
  private oldDests = new Map<number, Dest>();
  /** Ring buffer id → its destination table and a batch view of that buffer (results read in place). */
  private readonly tables = new Map<number, { table: Int32Array; view: EspBatch }>();
  /** [raw datagrams in flight, backlog flag, pool batch k busy (SH_BUSY + k)…], shared with the main thread. */
  private readonly sh = new Int32Array(new SharedArrayBuffer(4 * (SH_BUSY + IO_POOL)));
  /** ESP datagrams waiting for a free pool batch, in arrival order, and the raw ones that came after them. */
  private backlog: { sock: number; d: Uint8Array; from: Locator; raw?: boolean }[] = [];
  private readonly pool: EspBatch[] = [];
  /** Per pool batch, shared with the main thread: [socket, ip id, port, length] per entry. */
  private readonly metas: Int32Array[] = [];
  private cur: EspBatch | undefined;
  private curK = -1;
  private curMeta: Int32Array = new Int32Array(0);
  /** Peer IP → its id, announced to the main thread (an "ip" message) before the first batch naming it. */
  private readonly ipIds = new Map<string, number>();
  /** Highest destination id announced by a "dest" message (the main thread names them in order). */
  private maxDest = 0;
  /** Sealed packets waiting, in order, for a destination whose "dest" message is on its way. */
  private waiting: { d: number; data: Uint8Array }[] = [];
  private limits = workerIoLimits(HIP_LIMITS);
  private fast = true;
  private scheduled = false;
  private nextSock = 1;
  private readonly slab = new Slab();
  private readonly drops: Record<string, number> = {};
  private dropsPending = false;

  constructor(
    private readonly ctx: EspWorkerContext,
    private readonly port: MessagePort,
    private readonly env: IoEnv,
  ) {
    ctx.afterBatch = (op, id, buf, n) => {
      if (op === "seal") this.sendSealed(id, buf, n);
    };
    port.addEventListener("message", (ev: MessageEvent<IoToWorker>) => this.message(ev.data));
    port.start();
    // Send failures arrive in callbacks after the send: reported once a second (and after batches).
    const t = setInterval(() => this.reportErrors(), 1000) as unknown as { unref?: () => void };
    t.unref?.();
    this.post({ t: "ready", shared: this.sh.buffer as SharedArrayBuffer });
  }

  private post(m: IoToMain, transfer: Transferable[] = []): void {
    this.port.postMessage(m, transfer);
  }

  private message(m: IoToWorker): void {
    switch (m.t) {
      case "bind":
        this.env.bind(m.ip, m.port, m.recvBufferSize).then(
          (s) => {
            const id = this.nextSock++;
            this.socks.set(id, s);
            s.onDatagram((d, from) => this.rx(id, d, from));
            this.post({ t: "bound", req: m.req, sock: id, port: s.local.port });
          },
          (e: unknown) => this.post({ t: "bound", req: m.req, error: e instanceof Error ? e.message : String(e) }),
        );
        return;
      case "close": {
        const s = this.socks.get(m.sock);
        this.socks.delete(m.sock);
        this.reported.delete(m.sock);
        void s?.close().then(() => this.post({ t: "closed", sock: m.sock }));
        if (!s) this.post({ t: "closed", sock: m.sock });
        return;
      }
      case "tx": {
        const s = this.socks.get(m.sock);
        if (s) s.send({ to: m.to, data: m.data });
        else this.drop("tx-closed");
        return;
      }
      case "dest":
        this.dests.set(m.id, { sock: m.sock, to: m.to });
        if (m.id > this.maxDest) this.maxDest = m.id;
        if (this.waiting.length > 0) this.sendWaiting();
        return;
      case "dests-reset":
        // Every id named so far came before this on the port (ids are never reused). They stay one
        // more generation, for the seal batches already in the ring; the generation before goes.
        this.oldDests = this.dests;
        this.dests = new Map();
        return;
      case "table":
        this.tables.set(m.buf, { table: new Int32Array(m.table), view: EspBatch.view() });
        return;
      case "fast":
        this.fast = m.on;
        return;
      case "limits":
        this.limits = m.limits;
        return;
      case "free":
        this.drainBacklog();
        return;
    }
  }

  /** After a seal batch: entries with a destination leave from here; the others go back (table entry 0). */
  private sendSealed(id: number, buf: Uint8Array, n: number): void {
    const t = this.tables.get(id);
    if (!t) return;
    const { table, view } = t;
    view.attach(buf.buffer as SharedArrayBuffer); // the same buffer each time: no new view
    for (let i = 0; i < n; i++) {
      const d = table[i];
      if (d <= 0 || view.status(i) !== EspStatus.Ok) continue; // not sealed: the main thread handles it
      const dest = this.dests.get(d) ?? this.oldDests.get(d);
      const off = view.offset(i);
      // The ring can outrun the port: a destination named just before this batch may not be here
      // yet. Its packets, and every one after them, wait for it in order (sending them back to
      // the main thread would let later ones overtake them).
      if ((this.waiting.length > 0 || (dest === undefined && d > this.maxDest)) && this.waiting.length < IO_MAX_WAITING) {
        this.waiting.push({ d, data: this.slab.copy(buf, off, off + view.length(i)) });
        continue;
      }
      const s = dest && this.socks.get(dest.sock);
      if (!dest || !s) {
        table[i] = 0; // no such socket here (any more): the packet goes back
        continue;
      }
      // A copy: a socket may keep the bytes until a later tick (node:dgram does), and the batch buffer is reused.
      s.send({ to: dest.to, data: this.slab.copy(buf, off, off + view.length(i)) });
    }
  }

  /** Sends the waiting packets, in order, up to one whose destination is still on its way. */
  private sendWaiting(): void {
    const q = this.waiting;
    let k = 0;
    for (; k < q.length; k++) {
      const dest = this.dests.get(q[k].d) ?? this.oldDests.get(q[k].d);
      if (dest === undefined && q[k].d > this.maxDest) break;
      const s = dest && this.socks.get(dest.sock);
      if (!dest || !s) this.drop("tx-no-socket"); // gone meanwhile; its batch is settled, nothing can take it back
      else s.send({ to: dest.to, data: q[k].data });
    }
    this.waiting = k === q.length ? [] : q.slice(k);
  }

  private rx(sock: number, d: Uint8Array, from: Locator): void {
    // ESP (non-zero SPI, RFC 3948 / PROFILE.md UDP framing) on one of our inbound SAs: opened here.
    if (this.fast && d.length >= 8 && (d[0] | d[1] | d[2] | d[3]) !== 0) {
      const spi = ((d[0] << 24) | (d[1] << 16) | (d[2] << 8) | d[3]) >>> 0;
      if (this.ctx.plane().lookupSpi(spi) !== 0) {
        this.queueOpen(sock, d, from);
        return;
      }
    }
    if (Atomics.load(this.sh, SH_RAW) >= this.limits.raw) {
      this.drop("rx-backlog");
      return;
    }
    Atomics.add(this.sh, SH_RAW, 1);
    // A copy of just the datagram (cloning a view would clone its whole receive buffer).
    const data = d.slice();
    // Arrival order holds across both ways up: the ESP datagrams received before this one go
    // first (a backlog keeps its place in line; the current batch leaves now, not at the turn's end).
    if (this.backlog.length > 0) {
      this.backlog.push({ sock, d: data, from, raw: true });
      return;
    }
    this.flush();
    this.postRaw(sock, data, from);
  }

  private postRaw(sock: number, data: Uint8Array, from: Locator): void {
    this.post({ t: "rx", sock, from, data }, [data.buffer]);
  }

  private queueOpen(sock: number, d: Uint8Array, from: Locator): void {
    // Arrival order holds: while a backlog waits, newer datagrams join it.
    if (this.backlog.length === 0 && this.add(sock, d, from)) return;
    if (this.backlog.length >= this.limits.backlog) {
      this.drop("rx-backlog");
      return;
    }
    this.backlog.push({ sock, d, from }); // `d` is this datagram's own buffer: kept, not copied
    Atomics.store(this.sh, SH_BACKLOG, 1);
    // A batch freed just before the flag went up sent no "free": look again.
    this.drainBacklog();
  }

  /** Moves backlog datagrams into free pool batches (flushed as they fill, the rest next turn). */
  private drainBacklog(): void {
    const q = this.backlog;
    let i = 0;
    for (; i < q.length; i++) {
      const e = q[i];
      if (e.raw) {
        this.flush();
        this.postRaw(e.sock, e.d, e.from);
      } else if (!this.add(e.sock, e.d, e.from)) break;
    }
    if (i > 0) this.backlog = q.slice(i);
    if (this.backlog.length === 0) Atomics.store(this.sh, SH_BACKLOG, 0);
  }

  /** Adds one datagram to the current batch (taking a free one, flushing a full one); false: no batch free. */
  private add(sock: number, d: Uint8Array, from: Locator): boolean {
    const ip = this.ipId(from.ip); // first: a table reset flushes the current batch
    let b = this.cur ?? this.take();
    if (b && b.addOpen(d) < 0) {
      this.flush();
      b = this.take();
      if (b && b.addOpen(d) < 0) {
        this.drop("rx-too-big");
        return true;
      }
    }
    if (!b) return false;
    const j = (b.count - 1) * 4;
    const m = this.curMeta;
    m[j] = sock;
    m[j + 1] = ip;
    m[j + 2] = from.port;
    m[j + 3] = d.length;
    if (!this.scheduled) {
      this.scheduled = true;
      this.env.soon(this.flushNow);
    }
    return true;
  }

  private readonly flushNow = (): void => {
    this.scheduled = false;
    this.flush();
    this.reportErrors();
  };

  /** The id of a peer IP; a new one is announced first (messages keep their order). Bounded: past
   * `limits.peerIps` the table starts over, announced too (batches already posted were read before). */
  private ipId(ip: string): number {
    let id = this.ipIds.get(ip);
    if (id !== undefined) return id;
    if (this.ipIds.size >= this.limits.peerIps) {
      this.flush(); // its entries name ids of the old table
      this.ipIds.clear();
      this.post({ t: "ips-reset" });
    }
    id = this.ipIds.size;
    this.ipIds.set(ip, id);
    this.post({ t: "ip", id, ip });
    return id;
  }

  /** A free pool batch (the main thread clears its busy flag once done with it), or undefined. */
  private take(): EspBatch | undefined {
    for (let k = 0; k < IO_POOL; k++) {
      if (Atomics.load(this.sh, SH_BUSY + k) !== 0) continue;
      let b = this.pool[k];
      if (b === undefined) {
        b = new EspBatch({ maxPackets: IO_BATCH, shared: true });
        this.pool[k] = b;
        this.metas[k] = new Int32Array(new SharedArrayBuffer(IO_BATCH * 16));
        // Shared once: each batch then crosses as {k, n} (cloning a SharedArrayBuffer per message cost ~6 µs).
        this.post({ t: "pool", k, buf: b.bytes.buffer as SharedArrayBuffer, meta: this.metas[k].buffer as SharedArrayBuffer });
      }
      b.reset();
      this.cur = b;
      this.curK = k;
      this.curMeta = this.metas[k];
      return b;
    }
    return undefined;
  }

  private flush(): void {
    const b = this.cur;
    if (!b || b.count === 0) return;
    this.ctx.plane().runBatch("open", b.bytes, b.count, b.size);
    Atomics.store(this.sh, SH_BUSY + this.curK, 1);
    this.post({ t: "opened", k: this.curK, n: b.count });
    this.cur = undefined;
  }

  private drop(reason: string): void {
    this.drops[reason] = (this.drops[reason] ?? 0) + 1;
    if (this.dropsPending) return;
    this.dropsPending = true;
    this.env.soon(() => {
      this.dropsPending = false;
      this.post({ t: "drops", drops: { ...this.drops } });
    });
  }

  /** Send failures by code and receive failures, per socket, as totals (the main thread's socket proxies show them). */
  private reportErrors(): void {
    for (const [id, s] of this.socks) {
      const recv = s.recvErrors ?? 0;
      if (s.sendErrors === 0 && recv === 0) continue;
      const last = this.reported.get(id);
      if (last && last.total === s.sendErrors && last.recv === recv) continue;
      this.reported.set(id, { total: s.sendErrors, recv });
      this.post({ t: "errors", sock: id, total: s.sendErrors, codes: { ...s.sendErrorCodes }, recv });
    }
  }
}
