// Cloudflare Worker (workerd) host runtime: Workers cannot send UDP, so the host reaches its
// Forwarding Agent over a WebSocket tunnel (docs/PROTOCOL.md §11.x) opened the Workers way —
// `fetch(url, { headers: { Upgrade: "websocket" } })`, then `response.webSocket.accept()` —
// and runs the same TunnelHost as browsers (browser.ts). workerd refuses to compile WASM from
// bytes at run time, so the caller passes the module its config imported (a `wasm` module).
// Everything lives inside one request's I/O context: open, lease, exchange, close.
import { cryptoRng } from "../core/rng.ts";
import { DataPlane } from "../esp/dataplane.ts";
import { ReconnectingTunnel, type ReconnectOptions } from "../transport/reconnect.ts";
import { type Tunnel, WsTunnel } from "../transport/tunnel.ts";
import { loadWasmSync } from "../wasm/instantiate.ts";
import { startTunnelHost, type TunnelHost, type TunnelHostOptions } from "./browser.ts";

type Fetcher = (input: string, init?: RequestInit) => Promise<Response>;
type WorkerWebSocket = WebSocket & { accept(): void };

/**
 * Open a WebSocket tunnel from a Worker. `url` may be ws(s):// or http(s)://. `fetcher` is
 * the global fetch (outbound network) or a service binding's fetch (e.g. `env.FA.fetch`).
 */
export async function connectWorkerTunnel(url: string, fetcher: Fetcher = (i, init) => fetch(i, init)): Promise<WsTunnel> {
  const res = await fetcher(url.replace(/^ws(s?):/, "http$1:"), { headers: { Upgrade: "websocket" } });
  const ws = (res as Response & { webSocket?: WorkerWebSocket | null }).webSocket;
  if (!ws) throw new Error(`${url}: no WebSocket upgrade (HTTP ${res.status})`);
  ws.accept();
  return new WsTunnel(ws);
}

/** Options of `startEdgeHost` (Cloudflare Workers / workerd). */
export interface EdgeHostOptions extends Omit<TunnelHostOptions, "tunnel" | "dataPlane"> {
  /** The FA's WebSocket tunnel endpoint. */
  url: string;
  /** build/hipmm.wasm as the precompiled module workerd hands to the script. */
  wasm: WebAssembly.Module;
  /** The fetch that opens the WebSocket: a service binding's (e.g. `env.FA.fetch`); default the global `fetch`. */
  fetcher?: Fetcher;
  /** How long to wait for the first lease (ms; default 10 000). */
  leaseTimeoutMs?: number;
  /** Reopen the tunnel after a drop, re-lease, re-announce (docs/PROTOCOL.md §9.3); default off
   *  (a Worker's tunnel lives in one request). */
  reconnect?: ReconnectOptions;
}

/** Tunnel + data plane + lease: a host ready to `connect` to UDP peers through the FA. */
export async function startEdgeHost(o: EdgeHostOptions): Promise<TunnelHost> {
  const tunnel: Tunnel = o.reconnect
    ? await ReconnectingTunnel.connect([{ fa: o.fa, webSocket: o.url }], o.rng ?? cryptoRng, o.reconnect, (e) => connectWorkerTunnel(e.webSocket!, o.fetcher))
    : await connectWorkerTunnel(o.url, o.fetcher);
  try {
    return await startTunnelHost({ ...o, tunnel, dataPlane: new DataPlane(loadWasmSync(o.wasm)) });
  } catch (e) {
    await tunnel.close();
    throw e;
  }
}
