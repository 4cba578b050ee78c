// Messages between the live page (web/live/panel.ts) and the Worker that runs its HIP host
// (web/live/worker.ts). Times are the Worker's milliseconds since the host started.
import type { LiveConfig } from "../../src/lab/live-config.ts";
import type { HostState, SaKeys } from "../../src/lab/observe.ts";
import type { TraceEvent } from "../../src/sim/types.ts";

export type { LiveConfig };
export type TunnelChoice = "wt" | "ws";

/** Where to (re)connect: an FA of the config (index) over one of its transports. */
export interface Attachment {
  fa: number;
  kind: TunnelChoice;
}

export type ToWorker =
  | { type: "start"; config: LiveConfig; at: Attachment }
  | { type: "send"; text: string }
  | { type: "move"; at: Attachment }
  | { type: "stop" };

export type FromWorker =
  | { type: "trace"; ev: TraceEvent }
  | { type: "note"; t: number; node?: string; text: string }
  | { type: "state"; node: string; state: HostState }
  | { type: "keys"; keys: SaKeys }
  | { type: "attached"; t: number; at: Attachment; tunnel: string; lease: string; spis: string }
  | { type: "established"; t: number; peer: string }
  | { type: "reply"; t: number; text: string }
  | { type: "counters"; counters: Record<string, number> }
  | { type: "error"; message: string }
  | { type: "stopped" };

/** The transports an FA offers, in the order we try them. */
export function transportsOf(c: LiveConfig, fa: number): TunnelChoice[] {
  const f = c.fas[fa];
  return f ? ([f.wt ? "wt" : undefined, f.ws ? "ws" : undefined].filter(Boolean) as TunnelChoice[]) : [];
}

/** Names shown in the diagrams. */
export const BROWSER = "browser";
export const PEER = "peer";
