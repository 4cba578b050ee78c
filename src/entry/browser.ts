// hipmm/browser: the high-level API over a tunnel to a Forwarding Agent (`tunnel()`:
// WebTransport datagrams when the browser has them and the FA answers, else a WebSocket).
// Standard web APIs only; also fine in Deno and Web Workers. Lower layers: hipmm/runtime
// (TunnelHost, openTunnel), hipmm/transport (WsTunnel, WtTunnel), hipmm/esp (WorkerDataPlane).
import { tunnelTransport } from "../api/tunnel.ts";
import type { ForwardingAgentAddress, Transport } from "../api/types.ts";
import { faTarget } from "../api/udp.ts";
import { cryptoRng } from "../core/rng.ts";
import { openTunnel } from "../runtime/browser.ts";
import { ReconnectingTunnel, type ReconnectOptions } from "../transport/reconnect.ts";
import { useEmbeddedWasm } from "../wasm/loader.ts";

// This entry embeds the WASM module: the default of every DataPlane made without one (src/wasm/loader.ts).
useEmbeddedWasm();

export * from "../index.ts";

/** Options of {@link tunnel}: where the FA listens for tunnels, and the FA itself. */
export interface TunnelOptions {
  /** The FA's UDP locator (where it leases from) and HIT if known. */
  fa: ForwardingAgentAddress;
  /**
   * The FA's WebTransport endpoint ("https://IP:PORT/hipmm") and, for a self-signed
   * certificate, its SHA-256 hashes (W3C WebTransport `serverCertificateHashes`).
   */
  webTransport?: {
    /** "https://IP:PORT/hipmm". */
    url: string;
    /** SHA-256 hashes of the FA's self-signed certificate. */
    serverCertificateHashes?: Uint8Array[];
  };
  /** The FA's WebSocket endpoint (ws:// or wss://): used when WebTransport is absent or fails. */
  webSocket?: string;
  /** Per tunnel attempt (default 5000 ms). */
  timeoutMs?: number;
  /** ESP on the page's thread ("inline", default) or batched in a module Worker ("worker"). */
  dataPlane?: "inline" | "worker";
  /** Wait this long for the lease (default 10 000 ms). */
  leaseTimeoutMs?: number;
  /** The tunnel comes back by itself after a drop (default: on; backoff knobs), or `false`
   *  (docs/PROTOCOL.md §9.3). `host.backend.on("path-changed", …)` reports each recovery. */
  reconnect?: ReconnectOptions | false;
}

/** Tunnel transport: the host leases a locator from the FA and peers reach it there. */
export function tunnel(o: TunnelOptions): Transport {
  const open = o.reconnect === false ? () => openTunnel(o) : () => ReconnectingTunnel.connect([{ fa: faTarget(o.fa), webTransport: o.webTransport, webSocket: o.webSocket }], cryptoRng, { attemptTimeoutMs: o.timeoutMs ?? 5000, ...o.reconnect });
  return tunnelTransport(o.fa, open, o.dataPlane === "worker" ? () => "worker" : undefined, o.leaseTimeoutMs);
}
export type { ReconnectOptions } from "../transport/reconnect.ts";
