// hipmm public API. Layers, lowest first: wire → wasm/crypto/esp → hip → mobility → fa → transport → runtime → cli.
export * from "./core/types.ts";
export { cryptoRng, SeededRng } from "./core/rng.ts";
export { ipToBytes, bytesToIp, isV4Mapped } from "./core/addr.ts";
export { loadWasm, loadWasmSync, type HipmmExports, type WasmSource } from "./wasm/loader.ts";
export {
  EspStatus, espStatusName, espKeyLengths, type EspSuite as EspDataPlaneSuite, type SaParams, type SaStats,
  type SealRequest, type SealResult, type OpenResult,
} from "./esp/types.ts";
export { DataPlane } from "./esp/dataplane.ts";
export { WasmCrypto, wasmCrypto, useCryptoExports, sha1, sha256, hmacSha1, hmacSha256 } from "./esp/crypto.ts";
export { WorkerDataPlane } from "./esp/remote.ts";
export { EspBatch, type BatchOp, type EspBatchOptions } from "./esp/espbatch.ts";
export * from "./wire/index.ts";
export * from "./hip/index.ts";
export { detectRuntime, runtimeInfo, type RuntimeInfo, type RuntimeName } from "./runtime/detect.ts";
export { PcapWriter, PcapReader, parsePcap, isPcap, linkPayload, LINKTYPE_RAW, LINKTYPE_IPV4, LINKTYPE_IPV6, type PcapRecord, type PcapHeader, type PcapWriterOptions } from "./capture/pcap.ts";
export { buildIp, buildIpv4, buildIpv6, buildUdp, buildUdpSegment, inetChecksum, pseudoHeader } from "./capture/ip.ts";
export { parseIpPacket, parseUdp, demuxUdpPayload, type CaptureError, type IpPacket, type UdpDatagram, type Demuxed } from "./capture/parse-ip.ts";
export { espSaUatLine, espSaUatFile, tsharkEspArgs, TSHARK_ESP_SUITES, type EspSaEntry } from "./capture/esp-sa.ts";
export { dissectHip, dissectPcap, packetTypeName, type HipDissection, type FrameDissection, type ParamDissection } from "./capture/dissect.ts";
export { samplePackets, SAMPLE_PACKET_NAMES, type SamplePacket } from "./sample/packets.ts";
export { ForwardingAgent, type FaEvent, type FaOptions } from "./fa/core/agent.ts";
export { FaEndpoint } from "./fa/core/endpoint.ts";
export { faConfig, FA_DEFAULTS, type FaConfig, type PuzzleMode } from "./fa/core/config.ts";
export { FadReason, fadReasonName } from "./fa/core/reasons.ts";
export { FaClient, type FaClientOptions, type FaClientEvent, type ActiveLease, type FaTarget } from "./fa/client/client.ts";
export { MemoryLeaseStore } from "./fa/store/memory.ts";
export type { LeaseStore } from "./fa/store/store.ts";
export type { Lease } from "./fa/store/lease.ts";
export { WsTunnelClient } from "./transport/ws-client.ts";
export { type Tunnel, type TunnelKind, WsTunnel, TunnelSocket } from "./transport/tunnel.ts";
export { WtTunnel, type WtTunnelOptions } from "./transport/wt-client.ts";
export { TunnelHost, startTunnelHost, type TunnelHostOptions, type TunnelHostEvents } from "./runtime/browser.ts";
export { startEdgeHost, connectWorkerTunnel, type EdgeHostOptions } from "./runtime/edge.ts";
export { Simulator, EventHeap, formatTrace, formatTraceEvent, countKinds, traceFingerprint, DEFAULT_LINK, type SimEndpoint, type LinkParams, type SimOptions, type SimStats, type NodeStats, type SimTarget, type TraceEvent, type TraceKind, type DropReason, type RunResult } from "./sim/index.ts";
export { describeDatagram } from "./sim/describe.ts";
export { HostStack, newDataPlane, type HostStackOptions, type StackEvent, type SendStatus } from "./runtime/stack.ts";
export { RuntimeHost, type RuntimeHostOptions, type RuntimeHostEvents, type MessageEvent } from "./runtime/host.ts";
export { EndpointDriver, monotonicClock, type Clock, type PacketTap } from "./runtime/driver.ts";
export { MobilityExtension, codecKeys, DEFAULT_INTERFACE, FA_INTERFACE, type MobilityExtensionOptions, type MobilityNote, type MobilityRoute, type SpiRange } from "./mobility/extension.ts";
export { SaTable, type PeerSas } from "./runtime/sa-table.ts";
export { encodeBeetUdp, decodeBeetUdp } from "./runtime/beet-udp.ts";
export { SocketSet } from "./transport/socket-set.ts";
export { MemoryNetwork, MemorySocket } from "./transport/memory.ts";
export { parseLocator, type DatagramSocket, type DatagramHandler } from "./transport/types.ts";
