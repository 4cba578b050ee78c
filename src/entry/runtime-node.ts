// hipmm/runtime-node: the low-level Node host (RuntimeHost on node:dgram sockets), the socket
// itself, and pcap files. The high-level API is hipmm/node.
export { startNodeHost, type NodeHostOptions } from "../runtime/node.ts";
export { bindNodeUdp, NodeUdpSocket } from "../transport/udp-node.ts";
export { createPcapFile, readPcapFile, type PcapFileWriter } from "../capture/pcap-file.ts";
