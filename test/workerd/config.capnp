# workerd config for test/runtime/workerd.test.ts.
# worker.js is test/workerd/worker.ts bundled by test/helpers/workerd.ts (bundleWorker) into
# .tmp/workerd/; the WASM is embedded as a `wasm` module, which workerd hands to the script
# as a precompiled WebAssembly.Module. The socket's port is overridden at start
# (--socket-addr http=127.0.0.1:0) and read back through --control-fd.
using Workerd = import "/workerd/workerd.capnp";

const config :Workerd.Config = (
  services = [ (name = "main", worker = .hipmmWorker) ],
  sockets = [ (name = "http", address = "127.0.0.1:0", http = (), service = "main") ],
);

const hipmmWorker :Workerd.Worker = (
  modules = [
    (name = "worker.js", esModule = embed "../../.tmp/workerd/worker.js"),
    (name = "hipmm.wasm", wasm = embed "../../build/hipmm.wasm"),
  ],
  compatibilityDate = "2025-01-01",
);
