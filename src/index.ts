// hipmm: the small high-level API, the same in every runtime. Make a host from an identity and
// a transport (udp() from hipmm/node or hipmm/deno, tunnel() from hipmm/browser,
// workerTunnel() from hipmm/worker), connect to a peer by HIT and locator (or be reached via a
// Forwarding Agent), send and receive on the association, move or multi-home, observe typed
// events, close. Experts: the layer entry points hipmm/wire, hipmm/wasm, hipmm/esp, hipmm/hip,
// hipmm/mobility, hipmm/fa, hipmm/transport, hipmm/runtime, hipmm/sim, hipmm/capture.
export {
  Association,
  type AssociationEvents,
  createHost,
  createIdentity,
  DEFAULT_PORT,
  Host,
  identityFromText,
  identityToText,
} from "./api/host.ts";
export type {
  AssociationInfo,
  BackendOptions,
  ForwardingAgentAddress,
  HitLike,
  HostBackend,
  HostEvents,
  HostOptions,
  Listener,
  Locator,
  LocatorLike,
  MessageEvent,
  PathEnds,
  PeerAddress,
  RekeyOptions,
  SendStatus,
  Transport,
} from "./api/types.ts";
export type { CounterTree, HostStats } from "./runtime/stats.ts";
export type { HeldEvent, SendQueueOptions } from "./runtime/send-queue.ts";
