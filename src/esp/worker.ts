// ESP data plane Worker entry: one source for a browser/Deno module `Worker` and Node
// `worker_threads`. Control calls (install/remove SA, stats) go over comlink; packets cross
// only in batches, as transferred ArrayBuffers in the batch layout of batch.ts.
import * as Comlink from "comlink";
import { loadWasmSync } from "../wasm/loader.ts";
import { DataPlane } from "./dataplane.ts";
import { type BatchOp, isShared } from "./espbatch.ts";
import { type RingMessage, RingServer } from "./ring.ts";
import type { SaParams, SaStats } from "./types.ts";

/** The answer to a batch call. */
export interface BatchReply {
  /** The batch buffer, processed in place. */
  buf: ArrayBuffer | SharedArrayBuffer;
  /** Packets that succeeded. */
  ok: number;
  /** Set when the worker failed to run the batch (the buffer is returned unchanged). */
  error?: string;
}

/** What the ESP Worker serves over comlink (see `WorkerDataPlane` in hipmm/esp). */
export interface EspWorkerApi {
  /** Instantiates the WASM module (a compiled Module may be passed to skip compiling). */
  init(module?: WebAssembly.Module): void;
  /** Install an SA; returns its handle. */
  installSa(p: SaParams): number;
  /** Remove an SA; false for an unknown handle. */
  removeSa(handle: number): boolean;
  /** Handle of the inbound SA with this SPI (0 if none). */
  lookupSpi(spi: number): number;
  /** Counters of an SA, undefined for an unknown handle. */
  stats(handle: number): SaStats | undefined;
  /** Runs a seal/open batch in place; the buffer is transferred back. */
  batch(op: BatchOp, buf: ArrayBuffer | SharedArrayBuffer, n: number): BatchReply;
  /** Adopts a MessagePort for raw batches ({ id, op, buf, n } → { id, buf, ok }), cheaper than comlink calls. */
  attachBatchPort(port: MessagePort): void;
}

/** A batch request on the raw batch port. A SharedArrayBuffer is shared, anything else transferred. */
export interface BatchRequest {
  /** Request ID (echoed in the answer). */
  id: number;
  /** Seal or open. */
  op: BatchOp;
  /** The batch buffer. */
  buf: ArrayBuffer | SharedArrayBuffer;
  /** Packets in the batch. */
  n: number;
  /** Bytes of `buf` in use (default: all of it). */
  size?: number;
}

let dp: DataPlane | undefined;
function plane(): DataPlane {
  if (dp === undefined) dp = new DataPlane(loadWasmSync());
  return dp;
}

/**
 * What a worker extension gets (a module loaded on the main thread's request, e.g. the Worker's own
 * UDP sockets of src/runtime/io-worker.ts): the data plane, and a hook run after every ring batch.
 */
export interface EspWorkerContext {
  /** The worker's data plane. */
  plane(): DataPlane;
  /** Called after each ring batch ran, with the id of the buffer it ran in. */
  afterBatch: ((op: BatchOp, id: number, buf: Uint8Array, n: number) => void) | undefined;
}

/** A batch-port message asking the worker to load an extension module and hand it `port`. */
export interface ExtensionRequest {
  /** Module URL; it exports `attach(ctx: EspWorkerContext, port: MessagePort)`. */
  ext: string;
  /** The extension's own channel to the main thread. */
  port: MessagePort;
}

const ctx: EspWorkerContext = { plane, afterBatch: undefined };

function runRing(op: BatchOp, buf: Uint8Array, n: number, size: number, id: number): number {
  const ok = plane().runBatch(op, buf, n, size);
  ctx.afterBatch?.(op, id, buf, n);
  return ok;
}

const api: EspWorkerApi = {
  init(module) {
    if (dp === undefined) dp = new DataPlane(loadWasmSync(module));
  },
  installSa: (p) => plane().installSa(p),
  removeSa: (h) => plane().removeSa(h),
  lookupSpi: (spi) => plane().lookupSpi(spi),
  stats: (h) => plane().stats(h),
  batch(op, buf, n) {
    const ok = plane().runBatch(op, new Uint8Array(buf), n);
    return Comlink.transfer({ buf, ok }, isShared(buf) ? [] : [buf]);
  },
  attachBatchPort(port) {
    let ring: RingServer | undefined;
    port.addEventListener("message", (ev: MessageEvent<BatchRequest | RingMessage | ExtensionRequest>) => {
      if ("ext" in ev.data) {
        const { ext, port: extPort } = ev.data;
        // A failed load leaves the extension's port unanswered; its client times out and reports.
        void import(/* @vite-ignore */ ext).then(
          (m: { attach(c: EspWorkerContext, p: MessagePort): void }) => m.attach(ctx, extPort),
          (e: unknown) => extPort.postMessage({ t: "failed", error: e instanceof Error ? e.message : String(e) }),
        );
        return;
      }
      if ("ring" in ev.data) {
        // Shared-memory ring (ring.ts): batches then arrive without messages.
        const m = ev.data;
        if (m.ring === "attach") ring = new RingServer(m.ctrl, runRing);
        else ring?.message(m);
        return;
      }
      const { id, op, buf, n, size } = ev.data;
      let reply: BatchReply & { id: number };
      try {
        reply = { id, buf, ok: plane().runBatch(op, new Uint8Array(buf), n, size) };
      } catch (e) {
        // Reported to the caller as a rejected promise for this batch only.
        reply = { id, buf, ok: 0, error: e instanceof Error ? e.message : String(e) };
      }
      port.postMessage(reply, isShared(buf) ? [] : [buf]);
    });
    port.start();
  },
};

const g = globalThis as { WorkerGlobalScope?: unknown };
if (g.WorkerGlobalScope !== undefined) {
  // Browser and Deno workers.
  Comlink.expose(api);
} else {
  // Node worker_threads: comlink's node adapter over parentPort. Specifiers are kept opaque
  // so browser bundlers do not try to resolve Node-only modules.
  const wt = "node:worker_threads";
  const adapter = "comlink/dist/esm/node-adapter.mjs";
  // No top-level await (bundlers emitting this worker as a classic/iife chunk reject it).
  void Promise.all([import(/* @vite-ignore */ wt), import(/* @vite-ignore */ adapter)]).then(([threads, a]) => {
    const { parentPort } = threads as typeof import("node:worker_threads");
    const nodeEndpoint = (a as { default: (p: unknown) => Comlink.Endpoint }).default;
    if (parentPort) Comlink.expose(api, nodeEndpoint(parentPort));
  });
}
