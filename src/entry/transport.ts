// hipmm/transport: the datagram socket interface, tunnels to a Forwarding Agent (WebSocket,
// WebTransport) and the socket set a host drives. No node: imports (Node UDP is in hipmm/node).
export { parseLocator, type DatagramSocket, type DatagramHandler } from "../transport/types.ts";
export { type Tunnel, type TunnelKind, WsTunnel, TunnelSocket } from "../transport/tunnel.ts";
export { backoffDelay, openEndpoint, ReconnectingTunnel, type ReconnectOptions, type TunnelEndpoint, type TunnelOpener, type TunnelUp } from "../transport/reconnect.ts";
export { WtTunnel, type WtTunnelOptions } from "../transport/wt-client.ts";
export { WsTunnelClient } from "../transport/ws-client.ts";
export { SocketSet, type SocketSetStats } from "../transport/socket-set.ts";
export { MemoryNetwork, MemorySocket } from "../transport/memory.ts";
