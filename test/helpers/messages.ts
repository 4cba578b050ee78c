// Waiting for a runtime host's "message" events in tests (real sockets, real time).
import type { MessageEvent, RuntimeHost } from "../../src/runtime/host.ts";

/** The next `n` messages at `h` that pass `pred`; rejects naming how many came within `ms`. */
export function collect(h: RuntimeHost, n: number, ms = 5000, pred: (m: MessageEvent) => boolean = () => true): Promise<MessageEvent[]> {
  const got: MessageEvent[] = [];
  return new Promise((resolve, reject) => {
    const t = setTimeout(() => {
      h.off("message", cb);
      reject(new Error(`got ${got.length} of ${n} messages`));
    }, ms);
    const cb = (m: MessageEvent) => {
      if (!pred(m)) return;
      got.push(m);
      if (got.length < n) return;
      clearTimeout(t);
      h.off("message", cb);
      resolve(got);
    };
    h.on("message", cb);
  });
}
