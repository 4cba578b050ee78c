// `hipmm host` interop switches (docs/PROTOCOL.md §11): HOST_ID in clear in I2, no R1_COUNTER in
// R1, DH groups / ESP suites in preference order, the first retransmission timeout.
import { PEER_PROFILES, type PeerProfile } from "../hip/profile.ts";
import type { HipHostConfig } from "../hip/types.ts";
import { UsageError } from "./errors.ts";
import type { Args, OptionDef } from "./options.ts";
import { intOption } from "./options.ts";

export const INTEROP_OPTIONS: readonly OptionDef[] = [
  { name: "host-id-clear", help: "send HOST_ID in clear in I2, not inside ENCRYPTED (RFC 7401 §5.3.3 allows both; cutehip needs it)" },
  { name: "no-r1-counter", help: "omit R1_COUNTER from our R1s (optional in R1, §5.3.2); I2s are then matched to a generation by #I" },
  { name: "dh", arg: "LIST", default: "8,7", help: "DH group IDs we offer, preferred first (e.g. 8,7: P-384 first)" },
  { name: "esp", arg: "LIST", default: "13,9,8,1,7", help: "ESP transform suite IDs we offer, preferred first (RFC 7402 §5.1.2)" },
  { name: "rto-ms", arg: "MS", default: "1000", help: "first retransmission timeout of I1 / I2 / CLOSE (RFC 7401 §6.6), doubled each time" },
  {
    name: "peer-profile",
    arg: "NAME",
    example: "cutehip",
    help: "follow a peer implementation's wire deviations (rfc, cutehip; src/hip/profile.ts, PROTOCOL §11.5); cutehip also implies --host-id-clear --no-r1-counter and no mobility",
  },
];

function numList(a: Args, name: string): number[] | undefined {
  const v = a.get(name);
  if (v === undefined) return undefined;
  const xs = v.split(",").map((x) => Number(x));
  if (xs.length === 0 || xs.some((x) => !Number.isInteger(x) || x < 0 || x > 65535)) throw new UsageError(`--${name} ${v}: want comma-separated numbers`);
  return xs;
}

/** Applies the interop switches to `hip`; returns the --peer-profile, if any. */
export function applyInterop(a: Args, hip: Partial<HipHostConfig>): PeerProfile | undefined {
  if (a.has("host-id-clear")) hip.encryptHostId = false;
  if (a.has("no-r1-counter")) hip.r1Counter = false;
  const dh = numList(a, "dh");
  const esp = numList(a, "esp");
  if (dh) hip.dhGroups = dh;
  if (esp) hip.espSuites = esp;
  const rto = intOption(a, "rto-ms", 1, 600_000);
  if (rto !== undefined) hip.retransmit = { initialMs: rto };
  const name = a.get("peer-profile");
  if (name === undefined) return undefined;
  if (!Object.hasOwn(PEER_PROFILES, name)) throw new UsageError(`--peer-profile ${name}: want one of ${Object.keys(PEER_PROFILES).join(", ")}`);
  const profile = PEER_PROFILES[name];
  hip.peerProfile = profile;
  // Its fixed parameter sets: HOST_ID in clear, no R1_COUNTER (the core does it per peer too).
  if (profile.fixedParameterSets) {
    hip.encryptHostId = false;
    hip.r1Counter = false;
  }
  return profile;
}
