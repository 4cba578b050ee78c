// Shared builders for mobility tests: two real HostStacks (LabHost: HIP base exchange, REA/AC/ACR
// extension, WASM ESP) in the deterministic simulator, associated by a base exchange at t=0.
import type { Locator } from "../../src/core/types.ts";
import { LabHost } from "../../src/lab/host.ts";
import type { MobilityEvent } from "../../src/mobility/types.ts";
import type { MobilityPolicy } from "../../src/mobility/policy.ts";
import { Simulator } from "../../src/sim/index.ts";

export const L = (ip: string, port = 10500): Locator => ({ ip, port });

export interface Pair {
  sim: Simulator;
  a: LabHost;
  b: LabHost;
}

/** A (one interface, addr a) and B (one interface, addr b); A runs a base exchange with B at t=0. */
export function pair(seed: number, a: Locator, b: Locator, policy: Partial<MobilityPolicy> = {}, latency = 10): Pair {
  const sim = new Simulator({ seed, link: { latency }, trace: "data" });
  const na = new LabHost({ name: "A", rng: sim.forkRng(), addresses: [a], policy });
  const nb = new LabHost({ name: "B", rng: sim.forkRng(), addresses: [b], policy });
  na.knows(nb);
  nb.knows(na);
  na.stack.local!.setPreference(1, 1);
  nb.stack.local!.setPreference(1, 1);
  sim.addNode("A", na, [a]);
  sim.addNode("B", nb, [b]);
  sim.at(0, () => na.stack.connect(sim.now, b, nb.hit, a));
  return { sim, a: na, b: nb };
}

export function isHip(data: Uint8Array | undefined): boolean {
  return !!data && data.length >= 4 && data[0] === 0 && data[1] === 0 && data[2] === 0 && data[3] === 0;
}

export function events(n: LabHost, type: MobilityEvent["type"]): MobilityEvent[] {
  return n.log.filter((e) => e.ev.type === type).map((e) => e.ev);
}
