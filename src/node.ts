// hipmm for Node: everything in the browser-safe entry point plus the pieces that need
// node: modules (UDP sockets, files, SQLite, the FA server). Import as "hipmm/node".
export * from "./index.ts";
export { startNodeHost, type NodeHostOptions } from "./runtime/node.ts";
export { bindNodeUdp, NodeUdpSocket } from "./transport/udp-node.ts";
export { saveIdentity, loadIdentity, loadOrCreateIdentity } from "./runtime/keyfile-node.ts";
export { SqliteLeaseStore } from "./fa/store/sqlite.ts";
export { FaServer, type FaServerOptions } from "./fa/server/server.ts";
export { WsTunnelServer } from "./transport/ws-node.ts";
export { createPcapFile, readPcapFile, type PcapFileWriter } from "./capture/pcap-file.ts";
