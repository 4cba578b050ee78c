// A setImmediate for every runtime: `f` runs in a fresh event-loop task after the current one
// (a MessageChannel message, not a timer: setTimeout(0) is clamped to 4 ms once nested). Calls
// made before that task runs share it and run in order. Used where Node's setImmediate is not
// available or not wanted: the ESP Worker's yields (esp/ring.ts), Deno's worker-io flushes.

let channel: MessageChannel | undefined;
let queue: (() => void)[] = [];

/** Runs `f` in the next event-loop task. */
export function nextTask(f: () => void): void {
  if (channel === undefined) {
    channel = new MessageChannel();
    channel.port1.onmessage = () => {
      const run = queue;
      queue = [];
      for (const g of run) g();
    };
    // A port with an onmessage handler keeps a Node thread alive; this one must not.
    (channel.port1 as { unref?: () => void }).unref?.();
  }
  if (queue.push(f) === 1) channel.port2.postMessage(0);
}
