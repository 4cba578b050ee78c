// The ESP Worker's socket half on Deno (dataPlane "worker-io", run with --unstable-net): IoWorker
// (io-worker.ts) over Deno.listenDatagram sockets. Deno has no setImmediate: a MessageChannel
// message is the next task (setTimeout(0) is clamped to 4 ms once nested), so the datagrams that
// arrived in this turn are opened as one batch.
import type { EspWorkerContext } from "../esp/worker.ts";
import { bindDenoUdp } from "../transport/udp-deno.ts";
import { IoWorker } from "./io-worker.ts";

/** Entry point called by the ESP worker (worker.ts, ExtensionRequest). */
export function attach(ctx: EspWorkerContext, port: MessagePort): void {
  new IoWorker(ctx, port, { bind: async (ip, p) => bindDenoUdp(ip, p), soon: nextTask() });
}

/** A setImmediate: `f` runs in a task after the current one (queued in order). */
function nextTask(): (f: () => void) => void {
  const q: (() => void)[] = [];
  const ch = new MessageChannel();
  ch.port1.onmessage = () => {
    const run = q.splice(0);
    for (const f of run) f();
  };
  // The channel must not keep the Worker alive on its own (Deno: unref).
  (ch.port1 as { unref?: () => void }).unref?.();
  return (f) => {
    if (q.push(f) === 1) ch.port2.postMessage(0);
  };
}
