// `hipmm host` options for real networks (NATs, kernel address events, interface preference,
// path liveness): their table entries (spread into HOST_SPEC) and what they turn into.
import type { HipHostConfig } from "../hip/types.ts";
import type { MobilityPolicy } from "../mobility/policy.ts";
import { DEFAULT_KEEPALIVE_MS } from "../runtime/keepalive.ts";
import { UsageError } from "./errors.ts";
import type { Args, OptionDef } from "./options.ts";
import { choiceOption, intOption } from "./options.ts";

export const NET_OPTIONS: readonly OptionDef[] = [
  { name: "no-watch", help: "do not follow the kernel's address and link events (rtnetlink via `ip monitor`); addresses stay as given by --listen" },
  { name: "watch-family", arg: "any|4|6", default: "any", help: "address families the kernel watch follows: any = both (a host moves from an IPv4 network into an IPv6 one, draft §3.1), 4 or 6 = only that one" },
  { name: "prefer", arg: "IF[,IF…]", default: "none", help: "interface preference, best first (e.g. eth0,wlan0): data uses the best interface that is up and returns to it when it comes back (draft §3.3)" },
  { name: "keepalive", arg: "MS", default: String(DEFAULT_KEEPALIVE_MS), help: "NAT keepalive (one 0xFF byte, RFC 3948 §2.3) on an idle association path every MS; 0 = off" },
  { name: "failover-timeout", arg: "MS", default: "1500", help: "a path that leaves what we send unanswered this long fails over to the next (draft §3.3); with none left, the peer is reported unreachable" },
  { name: "probe-interval", arg: "MS", default: "500", help: "what we sent unanswered this long (nothing heard on the path since): send a liveness AC, and again this often" },
  { name: "peer-dead", arg: "MS", default: "30000", help: "once every path to the peer has failed, give the association up after MS more without an answer to its liveness ACs (closed: unreachable; with --connect the next line associates again); 0 = never" },
  { name: "heartbeat", arg: "MS", default: "5000", help: "without mobility (--no-mobility or --peer-profile cutehip): ESP we sent unanswered this long → a heartbeat UPDATE (SEQ only, RFC 7401 §6.11); unanswered through its retransmissions → the association is given up (closed: unreachable); a restarted peer rejoins on it; 0 = off" },
  { name: "fa-silence", arg: "MS", default: "15000", help: "with --fa: after MS without a relay frame from the FA, renew the lease at once (a dead FA is noticed, draft §4.4.2); 0 = off" },
  { name: "fa-addr-type", arg: "any|4|6", default: "any", help: "with --fa: the lease asked for (draft §5.1): 4 = a shared IPv4 locator with an SPI range, 6 = a dedicated locator (the FA's --pool6), any = whichever the FA has" },
  { name: "fa-fleet", help: "the --fa locators are nodes of one FA fleet sharing leases: follow a node that takes us over, renew a dead node's lease at the next (same locator, no REA; docs/OPERATIONS.md)" },
  { name: "checksum", arg: "zero|pseudo", default: "zero", help: "HIP checksum sent: zero over UDP (RFC 5770 §5.1, survives NATs) or the RFC 7401 sum over the outer addresses" },
];

export interface NetConfig {
  watch: boolean;
  /** --watch-family: KernelWatchOptions.families (undefined: both). */
  watchFamilies: (4 | 6)[] | undefined;
  prefer: string[];
  natKeepaliveMs: number;
  policy: Partial<MobilityPolicy>;
  checksum: HipHostConfig["checksum"];
  /** FA liveness: FaClientOptions.silenceMs (undefined = off). */
  faSilenceMs: number | undefined;
  /** The --fa locators are one fleet: FaClientOptions.fleet. */
  faFleet: boolean;
  /** --heartbeat: HipHostConfig.heartbeatMs (undefined: the default). */
  heartbeatMs: number | undefined;
  /** --fa-addr-type: FaClientOptions.addrType (0 = either). */
  faAddrType: 0 | 4 | 6;
}

export function netConfig(a: Args): NetConfig {
  const prefer = (a.get("prefer") ?? "").split(",").filter(Boolean);
  if (prefer.some((p) => !/^[\w.@-]{1,15}$/.test(p))) throw new UsageError(`--prefer ${a.get("prefer")}: want interface names separated by commas`);
  const policy: Partial<MobilityPolicy> = {};
  const failover = intOption(a, "failover-timeout", 50, 600_000);
  const probe = intOption(a, "probe-interval", 10, 600_000);
  if (failover !== undefined) policy.failoverTimeoutMs = failover;
  if (probe !== undefined) policy.probeIntervalMs = probe;
  const dead = intOption(a, "peer-dead", 0, 86_400_000);
  if (dead !== undefined) policy.peerDeadMs = dead;
  return {
    watch: !a.has("no-watch"),
    watchFamilies: ({ any: undefined, "4": [4 as const], "6": [6 as const] } as const)[choiceOption(a, "watch-family", ["any", "4", "6"] as const) ?? "any"]?.slice(),
    prefer,
    natKeepaliveMs: intOption(a, "keepalive", 0, 3_600_000) ?? DEFAULT_KEEPALIVE_MS,
    policy,
    checksum: choiceOption(a, "checksum", ["zero", "pseudo"] as const) ?? "zero",
    faFleet: a.has("fa-fleet"),
    heartbeatMs: intOption(a, "heartbeat", 0, 3_600_000),
    faAddrType: ({ any: 0, "4": 4, "6": 6 } as const)[choiceOption(a, "fa-addr-type", ["any", "4", "6"] as const) ?? "any"],
    faSilenceMs: ((ms) => (ms === 0 ? undefined : ms))(intOption(a, "fa-silence", 0, 3_600_000) ?? 15_000),
  };
}
