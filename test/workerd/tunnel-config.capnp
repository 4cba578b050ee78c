# workerd config for test/tunnel/workerd.test.ts. tunnel-worker.js is test/workerd/tunnel-worker.ts
# bundled into .tmp/workerd/ (bundleWorker); build/hipmm.wasm is a `wasm` module. The Worker's
# outbound fetch (the WebSocket upgrade to the FA) goes to the service named "internet"; by
# default it may only reach public addresses, so this config redefines it to allow loopback
# ("local") and private addresses: the FA listens on 127.0.0.1.
using Workerd = import "/workerd/workerd.capnp";

const config :Workerd.Config = (
  services = [
    (name = "main", worker = .tunnelWorker),
    (name = "internet", network = (allow = ["public", "private", "local"])),
  ],
  sockets = [ (name = "http", address = "127.0.0.1:0", http = (), service = "main") ],
);

const tunnelWorker :Workerd.Worker = (
  modules = [
    (name = "worker.js", esModule = embed "../../.tmp/workerd/tunnel-worker.js"),
    (name = "hipmm.wasm", wasm = embed "../../build/hipmm.wasm"),
  ],
  compatibilityDate = "2025-01-01",
  globalOutbound = "internet",
);
