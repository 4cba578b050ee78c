# workerd configuration of this example (`workerd serve config.capnp`; build first: npm run build).
using Workerd = import "/workerd/workerd.capnp";

const config :Workerd.Config = (
  services = [
    (name = "main", worker = .hipmmWorker),
    # Outbound network of the Worker (its fetch() and the WebSocket upgrade to the FA). workerd's
    # default "internet" service reaches public addresses only; the FA in this example listens
    # on 127.0.0.1, so this one also allows "private" and "local" (loopback) addresses.
    # Production (an FA on a public address) needs none of this.
    (name = "internet", network = (allow = ["public", "private", "local"])),
  ],
  sockets = [ (name = "http", address = "127.0.0.1:8787", http = (), service = "main") ],
);

const hipmmWorker :Workerd.Worker = (
  modules = [
    (name = "worker.js", esModule = embed "dist/worker.js"),
    # hipmm.wasm as a `wasm` module: the script imports it ("./hipmm.wasm") as a precompiled
    # WebAssembly.Module (Workers refuse to compile WebAssembly from bytes at run time).
    (name = "hipmm.wasm", wasm = embed "dist/hipmm.wasm"),
  ],
  compatibilityDate = "2025-01-01",
  globalOutbound = "internet",
);
