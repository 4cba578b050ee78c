// Plain-language explanations for the labels the demo shows (hover titles): why a datagram did
// not arrive, what an empty result means, what an address status means.

const DROPS: Record<string, string> = {
  loss: "lost on the link: the simulator drew a random loss for this datagram (the link's loss rate)",
  partition: "lost: the path is cut (partitioned) — e.g. a link died silently or a node crashed; nothing crosses it",
  queue: "dropped at the link's queue: the bandwidth limit was reached and the backlog was full (tail drop)",
  "nobody at destination": "no host owns the destination address any more (it moved away or the interface went down): the datagram is dropped like a packet with no route to its destination",
  "no-destination": "no host owns the destination address any more (it moved away or the interface went down): the datagram is dropped like a packet with no route to its destination",
  "no source address": "the sender no longer owns the source address it tried to use (its interface just went away), so the datagram never left",
  "no-source": "the sender no longer owns the source address it tried to use (its interface just went away), so the datagram never left",
};

export function dropExplanation(reason: string | undefined): string {
  return DROPS[reason ?? ""] ?? `not delivered (${reason ?? "unknown reason"})`;
}

const NULLS: Record<string, string> = {
  handover_ms: "null: no data reached a new address in this run (no handover happened, or none was expected)",
  handover_ms_to_mover: "null: no data toward the moving host arrived on a new address",
  handover_ms_from_mover: "null: no data from the moving host arrived from a new address",
  bound_ms: "null: no handover is expected in this scenario, so there is no time bound",
};

/** Hover text for a result cell (explains null values). */
export function resultTitle(key: string, v: unknown): string {
  if (v === null) return NULLS[key] ?? "null: does not apply to this run";
  return "";
}

export const STATUS_HELP: Record<string, string> = {
  active: "verified: an address check (AC/ACR) or the base exchange proved the host is reachable there; data may go there",
  unverified: "announced in an REA but not checked yet: only AC probes may go there (§4.3, §6.5)",
  credited: "not verified yet, but an authenticated REA came from it: data may go there up to 3× the bytes received from it (source credit, beyond the draft)",
  deprecated: "no longer preferred or no longer announced: kept for a grace period, then removed",
};
