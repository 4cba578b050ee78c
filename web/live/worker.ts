// The live lab's Worker: one LiveHost (web/live/host.ts) driven by the page's messages
// (protocol.ts). The HIP host, its ESP data plane and its tunnel all live here, off the page's
// main thread; the page only draws what comes back.
import { LiveHost } from "./host.ts";
import type { FromWorker, ToWorker } from "./protocol.ts";

let host: LiveHost | undefined;
const post = (m: FromWorker) => (self as unknown as Worker).postMessage(m);
const fail = (e: unknown) => post({ type: "error", message: e instanceof Error ? e.message : String(e) });
let counterTimer: ReturnType<typeof setInterval> | undefined;

// One command at a time, in order (a move must not overlap the start).
let queue: Promise<void> = Promise.resolve();

async function handle(m: ToWorker): Promise<void> {
  switch (m.type) {
    case "start":
      if (host) return;
      host = await LiveHost.create(m.config, post);
      counterTimer = setInterval(() => host?.stack && post({ type: "counters", counters: { ...host.stack.counters } }), 500);
      await host.start(m.at);
      break;
    case "send":
      host?.send(m.text);
      break;
    case "move":
      await host?.move(m.at);
      break;
    case "stop":
      clearInterval(counterTimer);
      await host?.close();
      host = undefined;
      post({ type: "stopped" });
      break;
  }
}

self.addEventListener("message", (ev: MessageEvent<ToWorker>) => {
  queue = queue.then(() => handle(ev.data)).catch(fail);
});
