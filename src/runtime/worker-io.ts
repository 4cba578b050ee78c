// dataPlane "worker-io" (Node, Deno), main-thread side: the ESP Worker owns the UDP sockets
// (io-worker.ts runs inside it, loaded through io-worker-node.ts or io-worker-deno.ts), so the
// whole data path (receive, open; seal, send) stays in the Worker and the main thread sees only
// payloads. Here: WorkerUdpSocket, a DatagramSocket proxy for a socket of the Worker (SocketSet
// and the driver use it like any socket; what it carries is the slow path: HIP control, datagrams
// the Worker did not open), and WorkerIo, which binds them, names destinations for sealed packets
// and hands opened batches to the ESP runner.
// No node: imports.
import type { Locator, Transmit } from "../core/types.ts";
import { EspBatch } from "../esp/espbatch.ts";
import { WorkerDataPlane } from "../esp/remote.ts";
import { HIP_LIMITS, type HipLimits, resolveLimits } from "../hip/limits.ts";
import type { DatagramHandler, DatagramSocket } from "../transport/types.ts";
import type { OpenJob } from "./esp-work.ts";

/** Opened batches the Worker may have in flight to this thread (then it keeps a backlog). */
export const IO_POOL = 16;
/** Datagrams per opened batch. */
export const IO_BATCH = 64;
/** The Worker's bounds: `limits.workerIo*` (src/hip/limits.ts), defaults HIP_LIMITS. */
export interface WorkerIoLimits {
  /** ESP datagrams the Worker keeps while every pool batch is in flight (then it drops and counts). */
  backlog: number;
  /** Raw datagrams the Worker may have in flight to this thread. */
  raw: number;
  /** Peer IPs the Worker names by id (then the table starts over). */
  peerIps: number;
  /** Destinations (socket × peer locator) named by id for sealed packets (then both tables start over). */
  dests: number;
}

/** The `workerIo*` fields of a host's limits. */
export const workerIoLimits = (l: HipLimits): WorkerIoLimits => ({ backlog: l.workerIoBacklog, raw: l.workerIoRaw, peerIps: l.workerIoPeerIps, dests: l.workerIoDests });
/** Shared words: raw datagrams in flight; 1 while the Worker has a backlog; then a busy flag per pool batch. */
export const SH_RAW = 0;
export const SH_BACKLOG = 1;
export const SH_BUSY = 2;
/** How long a socket close waits for the Worker's answer. */
const CLOSE_MS = 2000;

/** Main thread → Worker. */
export type IoToWorker =
  | { t: "bind"; req: number; ip: string; port: number; recvBufferSize?: number }
  | { t: "close"; sock: number }
  | { t: "tx"; sock: number; to: Locator; data: Uint8Array }
  | { t: "dest"; id: number; sock: number; to: Locator }
  | { t: "dests-reset" }
  | { t: "table"; buf: number; table: SharedArrayBuffer }
  | { t: "fast"; on: boolean }
  | { t: "limits"; limits: WorkerIoLimits }
  | { t: "free" };

/** Worker → main thread. */
export type IoToMain =
  | { t: "ready"; shared: SharedArrayBuffer }
  | { t: "failed"; error: string }
  | { t: "bound"; req: number; sock?: number; port?: number; error?: string }
  | { t: "closed"; sock: number }
  | { t: "rx"; sock: number; from: Locator; data: Uint8Array }
  | { t: "pool"; k: number; buf: SharedArrayBuffer; meta: SharedArrayBuffer }
  | { t: "ip"; id: number; ip: string }
  | { t: "ips-reset" }
  | { t: "opened"; k: number; n: number }
  | { t: "errors"; sock: number; total: number; codes: Record<string, number>; recv: number }
  | { t: "drops"; drops: Record<string, number> };

/** Where the Worker's extension module for this runtime is (next to this one: .ts from sources, .js from dist). */
export function ioWorkerUrl(): string {
  const rt = (globalThis as { Deno?: unknown }).Deno === undefined ? "node" : "deno";
  return new URL(`./io-worker-${rt}.${import.meta.url.endsWith(".ts") ? "ts" : "js"}`, import.meta.url).href;
}

/** Counters of a {@link WorkerIo}. */
export interface WorkerIoStats {
  /** ESP packets the Worker received and opened (fast path). */
  opened: number;
  /** Batches of them. */
  openedBatches: number;
  /** Datagrams the Worker passed up unopened (HIP control, unknown SPIs, keepalives…). */
  raw: number;
  /** What the Worker dropped, by reason (`rx-backlog`: this thread was behind). */
  drops: Record<string, number>;
  /** Times the Worker's peer-IP table filled (`limits.workerIoPeerIps`) and started over. */
  ipTableResets: number;
  /** Times the destination tables filled (`limits.workerIoDests`) and started over. */
  destResets: number;
  /** Datagrams this thread handed to the Worker's sockets one by one: HIP control, and sealed packets with no destination id. */
  txFromMain: number;
}

/** What {@link WorkerIo.start} made. */
export interface WorkerIoStarted {
  /** The new ESP Worker's data plane (give it to the host, which closes it). */
  dp: WorkerDataPlane;
  /** Its socket half. */
  io: WorkerIo;
}

/** A UDP socket owned by the ESP Worker, seen from the main thread. */
export class WorkerUdpSocket implements DatagramSocket {
  sendErrors = 0;
  sendErrorCodes: Record<string, number> = {};
  /** Receive failures of the Worker's socket (reported with its send failures). */
  recvErrors = 0;
  /** @internal */ handler: DatagramHandler | undefined;
  private closing: Promise<void> | undefined;
  /** @internal */ closed = false;
  /** @internal */ closedAck: (() => void) | undefined;

  constructor(
    /** The WorkerIo it belongs to. */
    readonly io: WorkerIo,
    /** Its id in the Worker. */
    readonly id: number,
    readonly local: Locator,
  ) {}

  send(t: Transmit): void {
    if (this.closed || this.io.dead) {
      this.sendErrors++;
      return;
    }
    this.io.stats.txFromMain++;
    this.io.post({ t: "tx", sock: this.id, to: { ip: t.to.ip, port: t.to.port }, data: t.data });
  }

  onDatagram(cb: DatagramHandler): void {
    this.handler = cb;
  }

  close(): Promise<void> {
    this.closed = true;
    this.closing ??= this.io.closeSocket(this);
    return this.closing;
  }
}

/** The main-thread half of dataPlane "worker-io": sockets in the ESP Worker, opened batches out of it. */
export class WorkerIo {
  /** Counters. */
  readonly stats: WorkerIoStats = { opened: 0, openedBatches: 0, raw: 0, drops: {}, ipTableResets: 0, destResets: 0, txFromMain: 0 };
  /** Receives each opened batch (set by the ESP runner): jobs[i] describes entry i. True: it keeps
   *  the batch (held for datagrams passed up before it) and calls `release` once done with it. */
  onOpened: ((batch: EspBatch, n: number, jobs: OpenJob[], release: () => void) => boolean) | undefined;
  private readonly socks = new Map<number, WorkerUdpSocket>();
  private readonly binds = new Map<number, { ip: string; resolve(s: WorkerUdpSocket): void; reject(e: Error): void }>();
  private nextReq = 1;
  private readonly views: EspBatch[] = [];
  private readonly metas: Int32Array[] = [];
  private ips: string[] = [];
  private readonly locators = new Map<string, Map<number, Locator>>();
  private readonly destIds = new Map<string, number>();
  private nextDest = 1;
  private maxDests = HIP_LIMITS.workerIoDests;
  private lastTo: Locator | undefined;
  private lastToIp = "";
  private lastToPort = -1;
  private lastSock: WorkerUdpSocket | undefined;
  private lastDest = 0;

  private constructor(
    private readonly dp: WorkerDataPlane,
    private readonly port: MessagePort,
    private readonly sh: Int32Array,
  ) {
    port.addEventListener("message", (ev: MessageEvent<IoToMain>) => this.message(ev.data));
  }

  /** A new ESP Worker with the socket extension loaded (the Worker is closed again if that fails). */
  static async start(limits?: Partial<HipLimits>): Promise<WorkerIoStarted> {
    const bounds = workerIoLimits(resolveLimits(limits)); // a bad limit throws before a Worker exists
    const dp = await WorkerDataPlane.create();
    try {
      const io = await WorkerIo.attach(dp);
      // The host's bounds before its first socket is bound (RuntimeHost sends them again).
      io.setLimits(bounds);
      return { dp, io };
    } catch (e) {
      await dp.close();
      throw e;
    }
  }

  /** Loads the socket extension into `dp`'s Worker (`url`: its module, default next to this one). */
  static async attach(dp: WorkerDataPlane, url = ioWorkerUrl(), timeoutMs = 10_000): Promise<WorkerIo> {
    const ch = new MessageChannel();
    const port = ch.port1;
    const ready = new Promise<SharedArrayBuffer>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`worker-io: the ESP Worker did not load ${url} within ${timeoutMs} ms`)), timeoutMs);
      const first = (ev: MessageEvent<IoToMain>): void => {
        const m = ev.data;
        if (m.t !== "ready" && m.t !== "failed") return;
        clearTimeout(timer);
        port.removeEventListener("message", first);
        if (m.t === "ready") resolve(m.shared);
        else reject(new Error(`worker-io: ${m.error}`));
      };
      port.addEventListener("message", first);
    });
    port.start();
    dp.extend(url, ch.port2);
    try {
      return new WorkerIo(dp, port, new Int32Array(await ready));
    } catch (e) {
      port.close();
      throw e;
    }
  }

  /** Bind a UDP socket in the Worker. */
  bind(ip: string, port: number, opts: { recvBufferSize?: number } = {}): Promise<WorkerUdpSocket> {
    const req = this.nextReq++;
    return new Promise((resolve, reject) => {
      this.binds.set(req, { ip, resolve, reject });
      this.post({ t: "bind", req, ip, port, ...(opts.recvBufferSize === undefined ? {} : { recvBufferSize: opts.recvBufferSize }) });
    });
  }

  /** Let the Worker open inbound ESP itself (on by default); off while anything must see raw datagrams (a tap, an FA relay). */
  setFast(on: boolean): void {
    this.post({ t: "fast", on });
  }

  /** The Worker's bounds (RuntimeHost passes `limits.workerIo*`); each at least 1. */
  setLimits(l: WorkerIoLimits): void {
    const at1 = (n: number) => Math.max(1, Math.floor(n) || 1);
    this.maxDests = at1(l.dests);
    this.post({ t: "limits", limits: { backlog: at1(l.backlog), raw: at1(l.raw), peerIps: at1(l.peerIps), dests: this.maxDests } });
  }

  /** Register the destination table of the ring batch whose buffer the Worker knows as `bufId`. */
  table(bufId: number, table: Int32Array): void {
    this.post({ t: "table", buf: bufId, table: table.buffer as SharedArrayBuffer });
  }

  /** The destination id for a sealed packet to `to` through `sock` (0: none, the packet comes back). */
  dest(sock: WorkerUdpSocket, to: Locator): number {
    // One path's packets share a Locator object: no key string per packet.
    if (to === this.lastTo && sock === this.lastSock && to.ip === this.lastToIp && to.port === this.lastToPort) return this.lastDest;
    if (sock.io !== this || sock.closed) return 0;
    const key = `${sock.id} ${to.ip} ${to.port}`;
    let id = this.destIds.get(key);
    if (id === undefined) {
      if (this.destIds.size >= this.maxDests) {
        // Full: both tables start over (ids are never reused). The Worker keeps the previous
        // table for batches already in the ring; an id older than that comes back here (entry 0).
        this.destIds.clear();
        this.stats.destResets++;
        this.post({ t: "dests-reset" });
      }
      id = this.nextDest++;
      this.destIds.set(key, id);
      this.post({ t: "dest", id, sock: sock.id, to: { ip: to.ip, port: to.port } });
    }
    this.lastTo = to;
    this.lastToIp = to.ip;
    this.lastToPort = to.port;
    this.lastSock = sock;
    this.lastDest = id;
    return id;
  }

  /** @internal */
  post(m: IoToWorker): void {
    if (!this.closed) this.port.postMessage(m);
  }
  private closed = false;

  /** @internal */
  closeSocket(s: WorkerUdpSocket): Promise<void> {
    // A dead Worker answers nothing (its sockets went with it); a live one within CLOSE_MS.
    if (this.dp.error) return Promise.resolve();
    return new Promise<void>((resolve) => {
      const t = setTimeout(resolve, CLOSE_MS);
      s.closedAck = () => {
        clearTimeout(t);
        resolve();
      };
      this.post({ t: "close", sock: s.id });
    });
  }

  /** True once the Worker died or was closed. */
  get dead(): boolean {
    return this.closed || this.dp.error !== undefined;
  }

  /** Stop listening (the Worker goes with its WorkerDataPlane). */
  close(): void {
    this.closed = true;
    for (const s of this.socks.values()) {
      s.closed = true;
      s.closedAck?.();
    }
    for (const b of this.binds.values()) b.reject(new Error("worker-io closed"));
    this.binds.clear();
    this.port.close();
  }

  private message(m: IoToMain): void {
    switch (m.t) {
      case "rx": {
        Atomics.sub(this.sh, SH_RAW, 1);
        this.stats.raw++;
        const s = this.socks.get(m.sock);
        if (s && !s.closed) s.handler?.(m.data, m.from, s.local);
        return;
      }
      case "pool": {
        this.views[m.k] = EspBatch.view(m.buf);
        this.metas[m.k] = new Int32Array(m.meta);
        return;
      }
      case "ip":
        this.ips[m.id] = m.ip;
        return;
      case "ips-reset":
        this.ips = [];
        this.stats.ipTableResets++;
        return;
      case "opened":
        this.opened(m.k, m.n);
        return;
      case "bound": {
        const b = this.binds.get(m.req);
        if (!b) return;
        this.binds.delete(m.req);
        if (m.sock === undefined || m.port === undefined) b.reject(new Error(`worker-io: bind ${b.ip}: ${m.error ?? "failed"}`));
        else {
          const s = new WorkerUdpSocket(this, m.sock, { ip: b.ip, port: m.port });
          this.socks.set(m.sock, s);
          b.resolve(s);
        }
        return;
      }
      case "closed": {
        const s = this.socks.get(m.sock);
        this.socks.delete(m.sock);
        s?.closedAck?.();
        return;
      }
      case "errors": {
        const s = this.socks.get(m.sock);
        if (s) {
          s.sendErrors = m.total;
          s.sendErrorCodes = m.codes;
          s.recvErrors = m.recv;
        }
        return;
      }
      case "drops":
        this.stats.drops = m.drops;
        return;
      default:
        return;
    }
  }

  private opened(k: number, n: number): void {
    const b = this.views[k];
    const meta = this.metas[k];
    const ips = this.ips;
    const jobs: OpenJob[] = new Array<OpenJob>(n);
    for (let i = 0; i < n; i++) {
      const j = i * 4;
      const s = this.socks.get(meta[j]);
      const from = this.locator(ips[meta[j + 1]], meta[j + 2]);
      jobs[i] = { data: NO_DATA, size: meta[j + 3], from, to: s ? s.local : from, viaRea: false };
    }
    this.stats.opened += n;
    this.stats.openedBatches++;
    let held = false;
    try {
      held = this.onOpened?.(b, n, jobs, () => this.free(k)) === true;
    } finally {
      if (!held) this.free(k);
    }
  }

  /** Pool batch k is read: the Worker may refill it. */
  private free(k: number): void {
    Atomics.store(this.sh, SH_BUSY + k, 0);
    // It waits for a free batch: say so (it re-checks after raising the flag, so none is missed).
    if (Atomics.load(this.sh, SH_BACKLOG) !== 0) this.post({ t: "free" });
  }

  /** One Locator object per peer address (the stack compares paths by object first). */
  private locator(ip: string, port: number): Locator {
    let byPort = this.locators.get(ip);
    if (!byPort) {
      if (this.locators.size >= 4096) this.locators.clear();
      byPort = new Map();
      this.locators.set(ip, byPort);
    }
    let l = byPort.get(port);
    if (!l) {
      if (byPort.size >= 4096) byPort.clear();
      l = { ip, port };
      byPort.set(port, l);
    }
    return l;
  }
}

const NO_DATA = new Uint8Array(0);
