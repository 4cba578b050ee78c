// hipmm/runtime-node: the low-level Node host (RuntimeHost on node:dgram sockets), the socket
// itself, and pcap files. The high-level API is hipmm/node.
import { useEmbeddedWasm } from "../wasm/loader.ts";
// This entry embeds the WASM module: the default of every DataPlane made without one (src/wasm/loader.ts).
useEmbeddedWasm();
export { startNodeHost, type NodeHostOptions } from "../runtime/node.ts";
export { bindNodeUdp, NodeUdpSocket } from "../transport/udp-node.ts";
export { createPcapFile, readPcapFile, type PcapFileWriter } from "../capture/pcap-file.ts";
