// A lab run's changes on top of a scenario: per-link parameters and a list of timed actions
// (move a host, drop/restore an interface, renumber, restart or power off a host, crash the FA,
// inject an attack). With the
// scenario name and seed it fixes the run exactly (the simulator is deterministic), so it is what
// the web demo puts in its URL. Text form (URL-safe, no escaping needed):
//   link=A-B_lat20_jit2_loss5_bw50000,A-FA1_lat5     (latency/jitter ms, loss %, bandwidth B/s)
//   act=move_A_1200,drop_A_1500,restore_A_1800,restart_B_1400,power-off_B_2000,crash-fa_FA1_1000,forge-rea_A_1300
// Browser-safe: no node: imports.

export const ACTION_KINDS = ["move", "drop", "restore", "renumber", "restart", "power-off", "crash-fa", "forge-rea", "replay-i2", "flood"] as const;
export type ActionKind = (typeof ACTION_KINDS)[number];

export const ACTION_HELP: Record<ActionKind, string> = {
  move: "the host's address changes at once to a new network (break-before-make, §3.1)",
  drop: "the host's current interface goes down (its address disappears)",
  restore: "the interface dropped last comes back with its old address",
  renumber: "a new address on the same interface, the old one deprecated and withdrawn 500 ms later (§3.6)",
  restart: "the host crashes and is back at once with the same identity and address but no state, no CLOSE sent: its peer's next liveness check makes it rejoin (docs/PROTOCOL.md §7.11)",
  "power-off": "the host stops for good, no CLOSE sent: its peer reports it unreachable after the failover timeout and gives the association up after peerDeadMs (docs/PROTOCOL.md §8)",
  "crash-fa": "the Forwarding Agent dies silently: everything to or from it is lost (§4.4.2)",
  "forge-rea": "an attacker re-sends the peer's last REA from its own address with one locator byte changed: the signature/HMAC must reject it (§6.2)",
  "replay-i2": "an attacker replays the last I2 the host received (RFC 7401 §6.9: answered at most with R2 again, no new state)",
  flood: "100 copies of the first I1 toward the host in 50 ms from one spoofed source address (R1 rate limit, no state)",
};

export interface LabAction {
  kind: ActionKind;
  /** Node the action applies to (the host attacked, for attacks; the FA for crash-fa). */
  node: string;
  /** Virtual time in ms. */
  t: number;
}

export interface LinkOverride {
  /** Two node names, e.g. "A" and "B" (both directions). */
  a: string;
  b: string;
  latency?: number;
  jitter?: number;
  /** Percent, 0–100. */
  loss?: number;
  /** Bytes per second. */
  bandwidth?: number;
}

export interface LabSpec {
  links: LinkOverride[];
  actions: LabAction[];
}

export const LIMITS = { actions: 20, links: 8, maxT: 3000, latency: 1000, jitter: 500, bandwidthMin: 1000, bandwidthMax: 1e9 };
const FIELDS: Record<string, [keyof LinkOverride, number, number]> = {
  lat: ["latency", 0, LIMITS.latency],
  jit: ["jitter", 0, LIMITS.jitter],
  loss: ["loss", 0, 100],
  bw: ["bandwidth", LIMITS.bandwidthMin, LIMITS.bandwidthMax],
};
const NAME = /^[A-Za-z][A-Za-z0-9]{0,7}$/;

export const emptySpec = (): LabSpec => ({ links: [], actions: [] });

export function isEmptySpec(s: LabSpec): boolean {
  return s.links.length === 0 && s.actions.length === 0;
}

export function encodeLinks(links: readonly LinkOverride[]): string {
  return links
    .map((l) => {
      const parts = [`${l.a}-${l.b}`];
      for (const [k, [f]] of Object.entries(FIELDS)) if (l[f] !== undefined) parts.push(`${k}${l[f]}`);
      return parts.join("_");
    })
    .join(",");
}

export function encodeActions(actions: readonly LabAction[]): string {
  return actions.map((a) => `${a.kind}_${a.node}_${a.t}`).join(",");
}

/** Parse `link=`; bad entries are skipped with a message each. */
export function decodeLinks(s: string, errors: string[]): LinkOverride[] {
  const out: LinkOverride[] = [];
  for (const item of s.split(",").filter((x) => x !== "")) {
    const [pair, ...rest] = item.split("_");
    const m = /^([^-]+)-([^-]+)$/.exec(pair ?? "");
    if (!m || !NAME.test(m[1]) || !NAME.test(m[2]) || m[1] === m[2]) {
      errors.push(`link “${clip(item)}”: expected NODE-NODE_lat…_jit…_loss…_bw…`);
      continue;
    }
    const l: LinkOverride = { a: m[1], b: m[2] };
    let ok = true;
    for (const p of rest) {
      const f = /^([a-z]+)([0-9.]+)$/.exec(p);
      const def = f ? FIELDS[f[1]] : undefined;
      const v = f ? Number(f[2]) : Number.NaN;
      if (!def || !Number.isFinite(v) || v < def[1] || v > def[2]) {
        errors.push(`link “${clip(item)}”: “${clip(p)}” is not one of lat(0–${LIMITS.latency} ms), jit(0–${LIMITS.jitter} ms), loss(0–100 %), bw(${LIMITS.bandwidthMin}–${LIMITS.bandwidthMax} B/s)`);
        ok = false;
        break;
      }
      (l as unknown as Record<string, number>)[def[0]] = v;
    }
    if (!ok) continue;
    if (out.length >= LIMITS.links) {
      errors.push(`more than ${LIMITS.links} links: the rest ignored`);
      break;
    }
    out.push(l);
  }
  return out;
}

/** Parse `act=`; bad entries are skipped with a message each. Sorted by time (stable). */
export function decodeActions(s: string, errors: string[]): LabAction[] {
  const out: LabAction[] = [];
  for (const item of s.split(",").filter((x) => x !== "")) {
    const m = /^([a-z0-9-]+)_([A-Za-z][A-Za-z0-9]{0,7})_(\d+(?:\.\d+)?)$/.exec(item);
    const kind = m?.[1] as ActionKind | undefined;
    if (!m || !kind || !ACTION_KINDS.includes(kind)) {
      errors.push(`action “${clip(item)}”: expected KIND_NODE_TIME with KIND one of ${ACTION_KINDS.join(", ")}`);
      continue;
    }
    const t = Number(m[3]);
    if (t > LIMITS.maxT) {
      errors.push(`action “${clip(item)}”: time ${t} ms is after the run's end (${LIMITS.maxT} ms)`);
      continue;
    }
    if (out.length >= LIMITS.actions) {
      errors.push(`more than ${LIMITS.actions} actions: the rest ignored`);
      break;
    }
    out.push({ kind, node: m[2], t });
  }
  return out.map((a, i) => ({ a, i })).sort((x, y) => x.a.t - y.a.t || x.i - y.i).map((x) => x.a);
}

function clip(s: string): string {
  return s.length > 40 ? `${s.slice(0, 39)}…` : s;
}
