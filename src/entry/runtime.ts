// hipmm/runtime: the host stack (HIP + ESP + mobility + FA client) and what drives it on real
// time: RuntimeHost (sockets), TunnelHost (a tunnel to an FA), the Worker ESP runner, inner
// protocols, counters. The high-level API (hipmm) wraps these.
import { useEmbeddedWasm } from "../wasm/loader.ts";
// This entry embeds the WASM module: the default of every DataPlane made without one (src/wasm/loader.ts).
useEmbeddedWasm();
export { HostStack, newDataPlane, type HostStackOptions, type StackEvent, type SendStatus } from "../runtime/stack.ts";
export { RuntimeHost, resolveDataPlane, type RuntimeHostOptions, type RuntimeHostEvents, type MessageEvent, type DataPlaneChoice } from "../runtime/host.ts";
export { TunnelHost, startTunnelHost, connectTunnelHost, openTunnel, type ConnectTunnelHostOptions, type TunnelHostOptions, type TunnelHostEvents, type TunnelEndpoints } from "../runtime/browser.ts";
export type { TunnelPathChanged } from "../runtime/tunnel-resume.ts";
export { startEdgeHost, connectWorkerTunnel, type EdgeHostOptions } from "../runtime/edge.ts";
export type { HostStats, CounterTree } from "../runtime/stats.ts";
export { type PeerInfo, type PeerPath, peerInfo, peerInfoOf, peerInfos } from "../runtime/peer-info.ts";
export { EndpointDriver, monotonicClock, type Clock, type PacketTap } from "../runtime/driver.ts";
export { SaTable, type PeerSas, type SaBackend } from "../runtime/sa-table.ts";
export { encodeBeetUdp, decodeBeetUdp } from "../runtime/beet-udp.ts";
export { InnerProtocols, pingIdentifierFor, IPPROTO_TCP, IPPROTO_NONE, type InnerOptions, type InnerEvent, type EchoReplyEvent, type InnerOutcome, type Icmpv6Summary } from "../runtime/inner.ts";
export { WorkerEspRunner, type EspRunnerStats, type EspRunnerHooks, type EspRunnerIo } from "../runtime/esp-runner.ts";
export { WorkerIo, WorkerUdpSocket, ioWorkerUrl, type WorkerIoStarted, type WorkerIoStats } from "../runtime/worker-io.ts";
export { DeferredEsp, type EspWork, type SealJob, type OpenJob, type OpenOutcome } from "../runtime/esp-work.ts";
export { detectRuntime, runtimeInfo, type RuntimeInfo, type RuntimeName } from "../runtime/detect.ts";
export { FaClient, type FaClientOptions, type FaClientEvent, type ActiveLease, type FaTarget } from "../fa/client/client.ts";
