// Deterministic network simulator shared by protocol tests, benchmarks and the web demo.
export { EventHeap } from "./heap.ts";
export { Simulator } from "./simulator.ts";
export { countKinds, formatTrace, formatTraceEvent, traceFingerprint } from "./trace.ts";
export * from "./types.ts";
