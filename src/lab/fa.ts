// A Forwarding Agent node for lab scenarios: the real sans-I/O ForwardingAgent (src/fa/core)
// with an in-memory lease store, one locator that is both its control locator and its shared
// IPv4 locator (leases = that locator + an SPI range, draft §4.4). Browser-safe.
import { SeededRng } from "../core/rng.ts";
import type { Locator } from "../core/types.ts";
import { ForwardingAgent } from "../fa/core/agent.ts";
import { faConfig } from "../fa/core/config.ts";
import { FaEndpoint } from "../fa/core/endpoint.ts";
import { MemoryLeaseStore } from "../fa/store/memory.ts";
import { HostIdentity } from "../hip/identity.ts";
import type { Simulator } from "../sim/simulator.ts";

export function addFa(sim: Simulator, name: string, at: Locator, seed: number): ForwardingAgent {
  const rng = new SeededRng(seed * 7919 + 17);
  const fa = new ForwardingAgent({ identity: HostIdentity.generate(rng), config: faConfig({ control: [at], shared4: [at], puzzle: "off" }), store: new MemoryLeaseStore(), rng });
  const ep = new FaEndpoint(fa);
  sim.addNode(name, ep, ep.locators);
  return fa;
}
