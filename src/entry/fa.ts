// hipmm/fa: the Forwarding Agent (draft-nikander-hip-mm-00 §5) for Node: the UDP/WebSocket
// server (`FaServer.start`, what `hipmm fa` runs), its lease stores (memory; SQLite and Redis need
// the optional packages better-sqlite3 and ioredis, the WebSocket listener the optional package ws), and the
// sans-I/O agent for embedding in other event loops; and the Deno FA server (its command line
// is runDenoFa in hipmm/deno).
export { FaServer, type FaServerOptions, type FaServerStats } from "../fa/server/server.ts";
export { DenoFaServer, type DenoFaOptions } from "../fa/server/deno.ts";
export { ForwardingAgent, type FaEvent, type FaOptions } from "../fa/core/agent.ts";
export { FaEndpoint } from "../fa/core/endpoint.ts";
export { checkFaConfig, faConfig, FA_DEFAULTS, FA_LIMIT_NAMES, type FaConfig, faLimitProblem, type PuzzleMode } from "../fa/core/config.ts";
export { FadReason, fadReasonName } from "../fa/core/reasons.ts";
export { MemoryLeaseStore } from "../fa/store/memory.ts";
export { SqliteLeaseStore } from "../fa/store/sqlite.ts";
export { RedisLeaseStore, type RedisStoreOptions, type FleetNodeInfo } from "../fa/store/redis.ts";
export type { LeaseStore, LeaseWatcher } from "../fa/core/store.ts";
export type { Lease } from "../fa/core/lease.ts";
export { WsTunnelServer, type WsLimits, type WsStats } from "../transport/ws-node.ts";
export { saveIdentity, loadIdentity, loadOrCreateIdentity } from "../runtime/keyfile-node.ts";
