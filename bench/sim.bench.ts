// Simulator throughput: events per second for a ping/echo pair over an impaired path,
// against the bare event-heap push+pop cost (the floor of any discrete-event loop).
import { SeededRng } from "../src/core/rng.ts";
import { EventHeap } from "../src/sim/heap.ts";
import { Simulator } from "../src/sim/simulator.ts";
import { Echo, Pinger } from "../test/sim/endpoints.ts";
import type { BenchRow } from "./run.ts";
import { rateRow } from "./util.ts";

const A = { ip: "10.0.0.1", port: 10500 };
const B = { ip: "10.0.0.2", port: 10500 };

function simEventsPerSecond(trace: "on" | "off"): number {
  const t0 = performance.now();
  let events = 0;
  for (let seed = 1; performance.now() - t0 < 500; seed++) {
    const sim = new Simulator({ seed, trace, link: { latency: 10, jitter: 2, loss: 0.05, reorder: 0.05, duplicate: 0.02 } });
    sim.addNode("a", new Pinger(B, 5000, 0.1), [A]);
    sim.addNode("b", new Echo(), [B]);
    events += sim.runUntilIdle(1e9).events;
  }
  return (events * 1000) / (performance.now() - t0);
}

function heapOpsPerSecond(): number {
  const rng = new SeededRng(1);
  const h = new EventHeap<{ time: number; seq: number }>();
  let seq = 0;
  for (let i = 0; i < 64; i++) h.push({ time: rng.next() * 100, seq: seq++ });
  const t0 = performance.now();
  let n = 0;
  while (performance.now() - t0 < 300) {
    for (let i = 0; i < 1000; i++) {
      const e = h.pop()!;
      h.push({ time: e.time + rng.next() * 20, seq: seq++ });
    }
    n += 1000;
  }
  return (n * 1000) / (performance.now() - t0);
}

export async function run(): Promise<BenchRow[]> {
  const heap = heapOpsPerSecond();
  simEventsPerSecond("off"); // warm-up (JIT)
  return [
    rateRow("sim.events.trace-off", "events/s", simEventsPerSecond("off"), heap, { baselineName: "heap pop+push" }),
    rateRow("sim.events.trace-on", "events/s", simEventsPerSecond("on"), heap, { baselineName: "heap pop+push" }),
  ];
}
