// The ESP Worker's socket half on Deno (dataPlane "worker-io", run with --unstable-net): IoWorker
// (io-worker.ts) over Deno.listenDatagram sockets. Opened batches are flushed in the next task
// (core/next-task.ts, a MessageChannel message: no Node compatibility needed), so the datagrams
// that arrived in this turn are opened as one batch.
import { nextTask } from "../core/next-task.ts";
import type { EspWorkerContext } from "../esp/worker.ts";
import { bindDenoUdp } from "../transport/udp-deno.ts";
import { IoWorker } from "./io-worker.ts";

/** Entry point called by the ESP worker (worker.ts, ExtensionRequest). */
export function attach(ctx: EspWorkerContext, port: MessagePort): void {
  new IoWorker(ctx, port, { bind: async (ip, p) => bindDenoUdp(ip, p), soon: nextTask });
}
