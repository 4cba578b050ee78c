// The ESP Worker's socket half on Node (dataPlane "worker-io"): IoWorker (io-worker.ts) over
// node:dgram sockets, flushing opened batches with setImmediate (after this turn's datagrams).
import type { EspWorkerContext } from "../esp/worker.ts";
import { bindNodeUdp } from "../transport/udp-node.ts";
import { IoWorker } from "./io-worker.ts";

/** Entry point called by the ESP worker (worker.ts, ExtensionRequest). */
export function attach(ctx: EspWorkerContext, port: MessagePort): void {
  new IoWorker(ctx, port, {
    bind: (ip, p, recvBufferSize) => bindNodeUdp(ip, p, recvBufferSize === undefined ? {} : { recvBufferSize }),
    soon: (f) => void setImmediate(f),
  });
}
