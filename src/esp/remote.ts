// WorkerDataPlane: the async client of worker.ts. Same SA API as DataPlane; packets travel in
// batches (one transferred ArrayBuffer per batch, never one message per packet).
import * as Comlink from "comlink";
import {
  decodeOpenBatch, decodeSealBatch, encodeOpenBatch, encodeSealBatch, openBatchBytes, sealBatchBytes,
} from "./batch.ts";
import { type BatchOp, EspBatch, type EspBatchOptions, inFlightError, isShared } from "./espbatch.ts";
import { RingClient, ringSupported } from "./ring.ts";
import type { OpenResult, SaParams, SaStats, SealRequest, SealResult } from "./types.ts";
import type { BatchReply, BatchRequest, EspWorkerApi } from "./worker.ts";

/** Anything that can carry messages to the worker: a Web/Deno Worker or a Node worker_threads Worker. */
export type EspWorkerHandle = Worker | import("node:worker_threads").Worker;

/** Options of {@link WorkerDataPlane}. */
export interface WorkerDataPlaneOptions {
  /** A started worker running src/esp/worker.ts (e.g. Vite's `new Worker(new URL(...), { type: "module" })`). */
  worker?: EspWorkerHandle;
  /** Compiled hipmm module to hand to the worker (saves compiling it twice). */
  module?: WebAssembly.Module;
  /**
   * process() through the shared-memory ring (ring.ts: no message per batch) instead of one
   * transferred buffer per batch. Default: whenever the realm supports it (SharedArrayBuffer,
   * Atomics.waitAsync, and crossOriginIsolated in a page).
   */
  ring?: boolean;
}

const isNode = (): boolean => {
  const g = globalThis as { process?: { versions?: { node?: string } }; Deno?: unknown };
  return g.Deno === undefined && typeof g.process?.versions?.node === "string";
};

/** Running from .ts sources under Node: the worker registers tsx itself (module URL of tsx's API). */
function tsxApi(url: URL): string | undefined {
  return url.pathname.endsWith(".ts") ? import.meta.resolve("tsx/esm/api") : undefined;
}

/** URL of the worker entry next to this module (worker.ts from source, worker.js from dist/). */
export function espWorkerUrl(): URL {
  return new URL(import.meta.url.endsWith(".ts") ? "./worker.ts" : "./worker.js", import.meta.url);
}

/** Script URL of each Worker this module started (for error messages). */
const workerUrls = new WeakMap<object, string>();

/**
 * A module Worker running worker.js next to this module. The literal
 * `new Worker(new URL("./worker.js", import.meta.url), { type: "module" })` is what Vite,
 * esbuild and webpack recognise: they emit the worker as its own chunk and rewrite the URL.
 * To name that rewritten URL in errors, `Worker` is briefly (synchronously) a subclass that
 * records its argument. From .ts sources (Deno, Vite dev) the worker is worker.ts.
 */
function startModuleWorker(): Worker {
  if (import.meta.url.endsWith(".ts")) {
    const w = new Worker(espWorkerUrl(), { type: "module" });
    workerUrls.set(w, espWorkerUrl().href);
    return w;
  }
  const g = globalThis as { Worker: typeof Worker };
  const Native = g.Worker;
  let url = "";
  g.Worker = class extends Native {
    constructor(u: string | URL, o?: WorkerOptions) {
      super(u, o);
      url = String(u);
    }
  };
  try {
    const w = new Worker(new URL("./worker.js", import.meta.url), { type: "module" });
    workerUrls.set(w, url);
    return w;
  } finally {
    g.Worker = Native;
  }
}

/** The failure of a Worker that did not start, naming its script and the cause. */
function workerStartError(worker: object, ev: Event): Error {
  const url = workerUrls.get(worker) ?? "(a Worker passed in `worker`)";
  const msg = (ev as ErrorEvent).message;
  const cause = msg
    ? msg
    : "the script did not load or did not evaluate (not served, not a JavaScript module, or a bundler did not emit it: " +
      'bundle with new Worker(new URL(...), { type: "module" }) support, or pass `worker` made from hipmm/esp-worker)';
  return new Error(`ESP worker ${url} failed to start: ${cause}`);
}

interface Pending {
  resolve(r: BatchReply): void;
  reject(e: Error): void;
}

/** The ESP data plane in a Worker: the same SA calls as {@link DataPlane} (as promises) and batches processed off the main thread. */
export class WorkerDataPlane {
  private readonly pending = new Map<number, Pending>();
  private nextId = 1;
  /** Set once the worker died, errored or was closed: every later call rejects with it. */
  private dead: Error | undefined;
  /** Rejecters of the control calls under way (each settles its own; fail() rejects the rest). */
  private readonly controls = new Set<(e: Error) => void>();
  private readonly ring: RingClient | undefined;

  private constructor(
    private readonly remote: Comlink.Remote<EspWorkerApi>,
    private readonly handle: EspWorkerHandle,
    private readonly port: MessagePort,
    ring: boolean,
  ) {
    this.ring = ring ? new RingClient((m) => port.postMessage(m)) : undefined;
    port.addEventListener("message", (ev: MessageEvent<BatchReply & { id: number }>) => {
      const p = this.pending.get(ev.data.id);
      if (p === undefined) return;
      this.pending.delete(ev.data.id);
      p.resolve(ev.data);
    });
    port.addEventListener("messageerror", () => this.fail(new Error("ESP worker: undeserialisable batch reply")));
    port.start();
    // A dead worker never answers: reject everything pending instead of hanging.
    if ("on" in handle) {
      handle.on("error", (e: unknown) => this.fail(e instanceof Error ? e : new Error(String(e))));
      handle.on("exit", (code: number) => this.fail(new Error(`ESP worker exited (code ${code})`)));
    } else {
      handle.addEventListener("error", (ev) => this.fail(new Error(`ESP worker error: ${(ev as ErrorEvent).message ?? "unknown"}`)));
      handle.addEventListener("messageerror", () => this.fail(new Error("ESP worker: messageerror")));
    }
  }

  /** Starts (or adopts) a worker and initialises its data plane. */
  static async create(opts: WorkerDataPlaneOptions = {}): Promise<WorkerDataPlane> {
    let handle = opts.worker;
    let endpoint: Comlink.Endpoint;
    if (handle === undefined && isNode()) {
      const wt = "node:worker_threads";
      const { Worker: NodeWorker } = (await import(/* @vite-ignore */ wt)) as typeof import("node:worker_threads");
      const url = espWorkerUrl();
      const argv = tsxApi(url);
      // Node 20 does not run loader hooks for a worker's .ts entry file; import it from a bootstrap.
      handle = argv
        ? new NodeWorker(
            `import(${JSON.stringify(argv)}).then((m) => m.register()).then(() => import(${JSON.stringify(url.href)}));`,
            { eval: true },
          )
        : new NodeWorker(url);
    } else if (handle === undefined) {
      handle = startModuleWorker();
    }
    if ("addEventListener" in handle) {
      endpoint = handle as Worker;
    } else {
      const adapter = "comlink/dist/esm/node-adapter.mjs";
      const nodeEndpoint = (await import(/* @vite-ignore */ adapter)).default as (p: unknown) => Comlink.Endpoint;
      endpoint = nodeEndpoint(handle);
    }
    const remote = Comlink.wrap<EspWorkerApi>(endpoint);
    const started = handle;
    await new Promise<void>((resolve, reject) => {
      const fail = (e: unknown): void => reject(e instanceof Error ? e : new Error(`ESP worker failed: ${String(e)}`));
      if ("on" in started) started.once("error", fail);
      else started.addEventListener("error", (ev) => fail(workerStartError(started, ev)), { once: true });
      (remote.init(opts.module) as Promise<void>).then(resolve, fail);
    });
    // Packets use their own MessageChannel: one structured-clone message per batch, buffer transferred.
    const channel = new MessageChannel();
    await remote.attachBatchPort(Comlink.transfer(channel.port2, [channel.port2]));
    return new WorkerDataPlane(remote, handle, channel.port1, (opts.ring ?? true) && ringSupported());
  }

  /**
   * How process() reaches the worker: "ring" (shared memory, no message per batch: batches from
   * batch() run in place, others are copied through a shared staging slot) or "transfer" (the
   * batch buffer is transferred, or shared when it is a SharedArrayBuffer).
   */
  get mode(): "ring" | "transfer" {
    return this.ring === undefined ? "transfer" : "ring";
  }

  /** The worker's failure, once it died / errored / was closed. */
  get error(): Error | undefined {
    return this.dead;
  }

  /** Install an SA; resolves with its handle. */
  installSa(p: SaParams): Promise<number> {
    return this.control(() => this.remote.installSa(p) as Promise<number>);
  }
  /** Remove an SA; false for an unknown handle. */
  removeSa(handle: number): Promise<boolean> {
    return this.control(() => this.remote.removeSa(handle) as Promise<boolean>);
  }
  /** Handle of the inbound SA with this SPI (0 if none). */
  lookupSpi(spi: number): Promise<number> {
    return this.control(() => this.remote.lookupSpi(spi) as Promise<number>);
  }
  /** Counters of an SA, undefined for an unknown handle. */
  stats(handle: number): Promise<SaStats | undefined> {
    return this.control(() => this.remote.stats(handle) as Promise<SaStats | undefined>);
  }

  /** Seals a batch in the worker (convenience API: copies in, result objects out). */
  async sealBatch(items: readonly SealRequest[]): Promise<SealResult[]> {
    const buf = new Uint8Array(sealBatchBytes(items));
    encodeSealBatch(buf, 0, items);
    const r = await this.runBatch("seal", buf.buffer, items.length);
    return decodeSealBatch(new Uint8Array(r.buf), 0, items.length);
  }

  /** Opens a batch in the worker (convenience API: copies in, result objects out). */
  async openBatch(packets: readonly Uint8Array[]): Promise<OpenResult[]> {
    const buf = new Uint8Array(openBatchBytes(packets));
    encodeOpenBatch(buf, 0, packets);
    const r = await this.runBatch("open", buf.buffer, packets.length);
    return decodeOpenBatch(new Uint8Array(r.buf), 0, packets.length);
  }

  /**
   * A reusable EspBatch for process(). In ring mode it lives in shared memory the worker already
   * knows (a ring slot buffer): process() only publishes its descriptor, the worker runs it where
   * it is, and results are read in place, no copy either way. Otherwise (transfer mode) it is a
   * plain EspBatch whose buffer is transferred. Either way: fill it, `await process()`, read, reuse.
   */
  batch(opts: Omit<EspBatchOptions, "shared"> = {}): EspBatch {
    return this.ring !== undefined ? this.ring.batch(opts) : new EspBatch(opts);
  }

  /** The id the worker knows a batch()'s buffer by (ring mode; undefined otherwise). */
  bufferId(b: EspBatch): number | undefined {
    return this.ring?.bufferId(b);
  }

  /**
   * Loads the module at `url` into the worker (it exports `attach(ctx, port)`, see
   * EspWorkerContext in worker.ts) and hands it `port`, its channel to this thread.
   */
  extend(url: string, port: MessagePort): void {
    if (this.dead) throw this.dead;
    this.port.postMessage({ ext: url, port }, [port]);
  }

  /**
   * Ring mode: retire finished batches only when this thread looks anyway (the next process(),
   * poll(), needResults()) or within 2 ms, instead of being woken for each (RingClient.setLazy).
   * For callers that need no prompt results; no effect in transfer mode.
   */
  setLazy(on: boolean): void {
    this.ring?.setLazy(on);
  }

  /** Ring mode: waits armed for finished batches so far (each wakes this thread once); 0 otherwise. */
  get ringWaits(): number {
    return this.ring?.waits ?? 0;
  }

  /** Ring mode: settle the batches that have finished (no waiting). */
  poll(): void {
    this.ring?.poll();
  }

  /** Ring mode, lazy: someone awaits the oldest batch in flight, settle it as soon as it finishes. */
  needResults(): void {
    this.ring?.needResults();
  }

  /**
   * Batch path: processes an EspBatch in the worker and resolves with it; read results in place.
   * Ring mode runs a batch from batch() in its own shared buffer and copies any other batch
   * through a shared staging slot (no message either way); transfer mode transfers (or shares) its
   * buffer and re-attaches it. Until the promise settles the batch is `inFlight`: filling,
   * resetting or processing it again throws (rejects). Several batches may be in flight at once
   * and run in submission order. Rejects if the worker fails (in transfer mode the batch is then detached).
   */
  process(op: BatchOp, batch: EspBatch): Promise<EspBatch> {
    if (this.dead) return Promise.reject(this.dead);
    if (batch.inFlight) return Promise.reject(inFlightError());
    batch.inFlight = true; // cleared by the ring / transfer() when the batch settles
    return this.ring !== undefined ? this.ring.process(op, batch) : this.transfer(op, batch);
  }

  private async transfer(op: BatchOp, batch: EspBatch): Promise<EspBatch> {
    try {
      const r = await this.runBatch(op, batch.detach(), batch.count, batch.size);
      batch.attach(r.buf);
      batch.ok = r.ok;
      return batch;
    } finally {
      batch.inFlight = false;
    }
  }

  /**
   * Raw batch in the batch.ts layout; `buf` is transferred (detached here; a SharedArrayBuffer
   * is shared) and returned processed. Rejects when the worker fails or is closed.
   */
  runBatch(op: BatchOp, buf: ArrayBuffer | SharedArrayBuffer, n: number, size = buf.byteLength): Promise<BatchReply> {
    if (this.dead) return Promise.reject(this.dead);
    const id = this.nextId++;
    return new Promise<BatchReply>((resolve, reject) => {
      this.pending.set(id, {
        resolve: (r) => (r.error === undefined ? resolve(r) : reject(new Error(`ESP worker: ${r.error}`))),
        reject,
      });
      this.port.postMessage({ id, op, buf, n, size } satisfies BatchRequest, isShared(buf) ? [] : [buf]);
    });
  }

  /** Stops the worker; pending batches and calls reject. */
  async close(): Promise<void> {
    this.fail(new Error("WorkerDataPlane closed"));
    this.port.close();
    this.remote[Comlink.releaseProxy]();
    await this.handle.terminate();
  }

  private control<T>(call: () => Promise<T>): Promise<T> {
    if (this.dead) return Promise.reject(this.dead);
    // Not Promise.race with one "died" promise: every race left a reaction on it, and a promise
    // that never settles keeps them all (~8 objects per SA install or removal, for the Worker's life).
    return new Promise<T>((resolve, reject) => {
      this.controls.add(reject);
      call().then(
        (v) => {
          this.controls.delete(reject);
          resolve(v);
        },
        (e: unknown) => {
          this.controls.delete(reject);
          reject(e);
        },
      );
    });
  }

  private fail(e: Error): void {
    if (this.dead) return;
    this.dead = e;
    const controls = [...this.controls];
    this.controls.clear();
    for (const r of controls) r(e);
    this.ring?.fail(e);
    const all = [...this.pending.values()];
    this.pending.clear();
    for (const p of all) p.reject(e);
  }
}
