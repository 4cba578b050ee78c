// Which JavaScript runtime are we in, and what can it do? Used by runtime glue to pick
// transports (UDP only in Node and Deno --unstable-net; workerd has no UDP) and data-plane
// placement (SharedArrayBuffer needs cross-origin isolation in browsers).

/** JavaScript runtimes told apart by {@link detectRuntime}. */
export type RuntimeName = "node" | "deno" | "bun" | "workerd" | "browser" | "webworker" | "unknown";

/** The runtime and what it offers. */
export interface RuntimeInfo {
  /** Which runtime. */
  runtime: RuntimeName;
  /** Plain UDP sockets: node:dgram, or Deno.listenDatagram (needs --unstable-net). */
  udp: boolean;
  /** WebSocket available. */
  webSocket: boolean;
  /** WebTransport available. */
  webTransport: boolean;
  /** SharedArrayBuffer usable (browsers: only when cross-origin isolated). */
  sharedArrayBuffer: boolean;
}

type Globals = Record<string, unknown> & {
  Deno?: { version?: { deno?: string }; listenDatagram?: unknown };
  process?: { versions?: Record<string, string | undefined> };
  navigator?: { userAgent?: string };
  WorkerGlobalScope?: abstract new () => unknown;
};

/** Name of the current runtime. Deno and Bun also define `process`, so they are tested first. */
export function detectRuntime(g: Globals = globalThis as unknown as Globals): RuntimeName {
  if (typeof g.Deno?.version?.deno === "string") return "deno";
  if (typeof g.process?.versions?.bun === "string") return "bun";
  if (g.navigator?.userAgent === "Cloudflare-Workers") return "workerd";
  if (typeof g.process?.versions?.node === "string") return "node";
  if (typeof g.WorkerGlobalScope === "function" && g instanceof g.WorkerGlobalScope) return "webworker";
  if (typeof g.window === "object" && typeof g.document === "object") return "browser";
  return "unknown";
}

/** Runtime name plus the capabilities the transports care about. */
export function runtimeInfo(g: Globals = globalThis as unknown as Globals): RuntimeInfo {
  const runtime = detectRuntime(g);
  const udp = runtime === "node" || runtime === "bun" || (runtime === "deno" && typeof g.Deno?.listenDatagram === "function");
  return {
    runtime,
    udp,
    webSocket: typeof g.WebSocket === "function",
    webTransport: typeof g.WebTransport === "function",
    sharedArrayBuffer: typeof g.SharedArrayBuffer === "function" && g.crossOriginIsolated !== false,
  };
}
