// hipmm/worker: the high-level API in a Cloudflare Worker (workerd). Workers cannot send UDP:
// the host reaches its Forwarding Agent over a WebSocket opened with fetch() (`workerTunnel()`).
// workerd refuses to compile WebAssembly from bytes at run time: pass the module your
// configuration binds (wrangler / capnp `wasm` module of hipmm/hipmm.wasm). Lower layers:
// hipmm/runtime (TunnelHost, connectWorkerTunnel, startEdgeHost).
import { tunnelTransport } from "../api/tunnel.ts";
import type { ForwardingAgentAddress, Transport } from "../api/types.ts";
import { DataPlane } from "../esp/dataplane.ts";
import { connectWorkerTunnel } from "../runtime/edge.ts";
import { loadWasmSync } from "../wasm/instantiate.ts";

export * from "../index.ts";

/** Options of {@link workerTunnel}. */
export interface WorkerTunnelOptions {
  /** The FA's WebSocket tunnel endpoint (ws://, wss://, http:// or https://). */
  url: string;
  /** The FA's UDP locator (where it leases from) and HIT if known. */
  fa: ForwardingAgentAddress;
  /** hipmm.wasm as the precompiled WebAssembly.Module workerd hands to the script. */
  wasm: WebAssembly.Module;
  /** Outbound fetch: the global fetch (default) or a service binding's (`env.FA.fetch`). */
  fetcher?: (input: string, init?: RequestInit) => Promise<Response>;
  /** Wait this long for the lease (default 10 000 ms). */
  leaseTimeoutMs?: number;
}

/** Tunnel transport for a Worker: everything lives inside one request's I/O context. */
export function workerTunnel(o: WorkerTunnelOptions): Transport {
  return tunnelTransport(o.fa, () => connectWorkerTunnel(o.url, o.fetcher), () => new DataPlane(loadWasmSync(o.wasm)), o.leaseTimeoutMs);
}
