// Application callbacks (event listeners) called from inside the protocol stack. What a listener
// throws is the application's bug, not the network's: it must neither abort the stack half-way
// through a packet (state, queued transmits, the other listeners) nor be counted as a drop, where
// nobody would see it. It is reported as the DOM reports an exception from an event listener
// (reportError): rethrown on a microtask, an uncaught exception of the runtime (Node: process
// "uncaughtException"; browsers: the window's "error" event; Deno: the program's error).

/** Calls `cb(ev)`; an exception from it is rethrown asynchronously (see above). */
export function callListener<T>(cb: (ev: T) => void, ev: T): void {
  try {
    cb(ev);
  } catch (e) {
    queueMicrotask(() => {
      throw e;
    });
  }
}
