// Two HostStacks on a Simulator, with deterministic identities and Rngs from the seed.
import type { Locator } from "../../src/core/types.ts";
import { HostIdentity } from "../../src/hip/identity.ts";
import type { HipHostConfig } from "../../src/hip/types.ts";
import { HostStack, type StackEvent } from "../../src/runtime/stack.ts";
import { Simulator } from "../../src/sim/simulator.ts";
import type { LinkParams } from "../../src/sim/types.ts";
import "../../src/wasm/loader.ts"; // registers the embedded WASM module as the default (src/wasm/instantiate.ts)

export const LOC_A: Locator = { ip: "10.0.0.1", port: 10500 };
export const LOC_B: Locator = { ip: "10.0.0.2", port: 10500 };

export interface SimHost {
  stack: HostStack;
  events: StackEvent[];
  has(type: StackEvent["type"]): boolean;
  messages(): string[];
}

function simHost(sim: Simulator, cfg: Partial<HipHostConfig>): SimHost {
  const rng = sim.forkRng();
  const events: StackEvent[] = [];
  const stack = new HostStack({ host: { identity: HostIdentity.generate(rng), rng, ...cfg }, onEvent: (e) => events.push(e) });
  return {
    stack,
    events,
    has: (type) => events.some((e) => e.type === type),
    messages: () => events.flatMap((e) => (e.type === "message" ? [new TextDecoder().decode(e.data)] : [])),
  };
}

export function simPair(seed: number, link: Partial<LinkParams>, cfg: Partial<HipHostConfig> = {}, trace: "on" | "data" | "off" = "on") {
  const sim = new Simulator({ seed, link, trace });
  const a = simHost(sim, cfg);
  const b = simHost(sim, cfg);
  sim.addNode("a", a.stack, [LOC_A]);
  sim.addNode("b", b.stack, [LOC_B]);
  return { sim, a, b };
}
