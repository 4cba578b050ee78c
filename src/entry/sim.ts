// hipmm/sim: the deterministic network simulator (virtual time, seeded loss/delay) that runs
// the real stack; lab scenarios and tests are built on it.
export { Simulator, EventHeap, formatTrace, formatTraceEvent, countKinds, traceFingerprint, DEFAULT_LINK, type SimEndpoint, type LinkParams, type SimOptions, type SimStats, type NodeStats, type SimTarget, type TraceEvent, type TraceKind, type DropReason, type RunResult } from "../sim/index.ts";
export { describeDatagram } from "../sim/describe.ts";
export { MemoryNetwork, MemorySocket } from "../transport/memory.ts";
