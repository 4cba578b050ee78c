// CPU-time helpers for the A/B and profiling dev tools (not bench rows): CPU µs per unit of work
// (process.cpuUsage, user + system: robust on a loaded machine where wall-clock rates are not),
// and an optional in-process CPU profile written as a .cpuprofile.
import { writeFileSync } from "node:fs";
import { Session } from "node:inspector/promises";

/** Runs `f` `n` times; CPU µs per unit, where each call returns the units it did (1 per packet, or a batch size). */
export function cpuPerUnit(f: () => number, n: number): number {
  const c0 = process.cpuUsage();
  let k = 0;
  for (let i = 0; i < n; i++) k += f();
  const c = process.cpuUsage(c0);
  return (c.user + c.system) / k;
}

/** Starts the V8 sampling profiler when `out` is given; the returned stop() writes the profile there. */
export async function startProfile(out: string | undefined, intervalUs: number): Promise<() => Promise<void>> {
  if (!out) return async () => {};
  const session = new Session();
  session.connect();
  await session.post("Profiler.enable");
  await session.post("Profiler.setSamplingInterval", { interval: intervalUs });
  await session.post("Profiler.start");
  return async () => {
    const { profile } = await session.post("Profiler.stop");
    writeFileSync(out, JSON.stringify(profile));
  };
}
