// WorkerDataPlane: the async client of worker.ts. Same SA API as DataPlane; packets travel in
// batches (one transferred ArrayBuffer per batch, never one message per packet).
import * as Comlink from "comlink";
import {
  decodeOpenBatch, decodeSealBatch, encodeOpenBatch, encodeSealBatch, openBatchBytes, sealBatchBytes,
} from "./batch.ts";
import type { OpenResult, SaParams, SaStats, SealRequest, SealResult } from "./types.ts";
import type { BatchReply, BatchRequest, EspWorkerApi } from "./worker.ts";

/** Anything that can carry messages to the worker: a Web/Deno Worker or a Node worker_threads Worker. */
export type EspWorkerHandle = Worker | import("node:worker_threads").Worker;

export interface WorkerDataPlaneOptions {
  /** A started worker running src/esp/worker.ts (e.g. Vite's `new Worker(new URL(...), { type: "module" })`). */
  worker?: EspWorkerHandle;
  /** Compiled hipmm module to hand to the worker (saves compiling it twice). */
  module?: WebAssembly.Module;
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

export class WorkerDataPlane {
  private readonly pending = new Map<number, (r: BatchReply) => void>();
  private nextId = 1;

  private constructor(
    private readonly remote: Comlink.Remote<EspWorkerApi>,
    private readonly handle: EspWorkerHandle,
    private readonly port: MessagePort,
  ) {
    port.addEventListener("message", (ev: MessageEvent<BatchReply & { id: number }>) => {
      const done = this.pending.get(ev.data.id);
      this.pending.delete(ev.data.id);
      done?.({ buf: ev.data.buf, ok: ev.data.ok });
    });
    port.start();
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
      handle = new Worker(espWorkerUrl(), { type: "module" });
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
      else started.addEventListener("error", (ev) => fail((ev as ErrorEvent).message ?? ev), { once: true });
      (remote.init(opts.module) as Promise<void>).then(resolve, fail);
    });
    // Packets use their own MessageChannel: one structured-clone message per batch, buffer transferred.
    const channel = new MessageChannel();
    await remote.attachBatchPort(Comlink.transfer(channel.port2, [channel.port2]));
    return new WorkerDataPlane(remote, handle, channel.port1);
  }

  installSa(p: SaParams): Promise<number> {
    return this.remote.installSa(p) as Promise<number>;
  }
  removeSa(handle: number): Promise<boolean> {
    return this.remote.removeSa(handle) as Promise<boolean>;
  }
  lookupSpi(spi: number): Promise<number> {
    return this.remote.lookupSpi(spi) as Promise<number>;
  }
  stats(handle: number): Promise<SaStats | undefined> {
    return this.remote.stats(handle) as Promise<SaStats | undefined>;
  }

  /** Seals a batch in the worker. */
  async sealBatch(items: readonly SealRequest[]): Promise<SealResult[]> {
    const buf = new Uint8Array(sealBatchBytes(items));
    encodeSealBatch(buf, 0, items);
    const r = await this.runBatch("seal", buf.buffer, items.length);
    return decodeSealBatch(new Uint8Array(r.buf), 0, items.length);
  }

  /** Opens a batch in the worker. */
  async openBatch(packets: readonly Uint8Array[]): Promise<OpenResult[]> {
    const buf = new Uint8Array(openBatchBytes(packets));
    encodeOpenBatch(buf, 0, packets);
    const r = await this.runBatch("open", buf.buffer, packets.length);
    return decodeOpenBatch(new Uint8Array(r.buf), 0, packets.length);
  }

  /** Raw batch in the batch.ts layout; `buf` is transferred (detached here) and returned processed. */
  runBatch(op: "seal" | "open", buf: ArrayBuffer, n: number): Promise<BatchReply> {
    const id = this.nextId++;
    return new Promise((resolve) => {
      this.pending.set(id, resolve);
      this.port.postMessage({ id, op, buf, n } satisfies BatchRequest, [buf]);
    });
  }

  /** Stops the worker. */
  async close(): Promise<void> {
    this.port.close();
    this.remote[Comlink.releaseProxy]();
    await this.handle.terminate();
  }
}
