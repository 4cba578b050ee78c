// Shared builders for mobility tests: two pre-keyed MmNodes in the deterministic simulator.
import type { Locator } from "../../src/core/types.ts";
import { HostIdentity } from "../../src/hip/identity.ts";
import { MmNode } from "../../src/lab/node.ts";
import type { MobilityPolicy } from "../../src/mobility/policy.ts";
import { Simulator } from "../../src/sim/index.ts";

export const L = (ip: string, port = 10500): Locator => ({ ip, port });

export interface Pair {
  sim: Simulator;
  a: MmNode;
  b: MmNode;
}

/** A (one interface, addr a) and B (one interface, addr b), associated at t=0. */
export function pair(seed: number, a: Locator, b: Locator, policy: Partial<MobilityPolicy> = {}, latency = 10): Pair {
  const sim = new Simulator({ seed, link: { latency }, trace: "data" });
  const na = new MmNode("A", HostIdentity.generate(sim.forkRng()), sim.forkRng(), policy);
  const nb = new MmNode("B", HostIdentity.generate(sim.forkRng()), sim.forkRng(), policy);
  na.local.addInterface(1, 1);
  na.local.addAddress(1, a, 0);
  nb.local.addInterface(1, 1);
  nb.local.addAddress(1, b, 0);
  MmNode.associate(na, nb, a, b, 0);
  sim.addNode("A", na, [a]);
  sim.addNode("B", nb, [b]);
  return { sim, a: na, b: nb };
}

export function isHip(data: Uint8Array | undefined): boolean {
  return !!data && data.length >= 4 && data[0] === 0 && data[1] === 0 && data[2] === 0 && data[3] === 0;
}

export function events(n: MmNode, type: string) {
  return n.log.filter((e) => e.ev.type === type).map((e) => e.ev);
}
