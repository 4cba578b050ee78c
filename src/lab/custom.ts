// Applies a LabSpec (spec.ts: link parameters + timed actions) to a scenario's world before it
// runs. Everything goes through the simulator's script queue, so the run stays a pure function
// of (scenario, seed, spec). Attacks put datagrams on the network with `sim.inject` from
// addresses no host owns (or copy real packets from the trace so far). Browser-safe.
import type { Locator } from "../core/types.ts";
import { locatorKey } from "../core/types.ts";
import type { Transmit } from "../core/types.ts";
import type { SimEndpoint } from "../sim/types.ts";
import { PacketType } from "../wire/constants.ts";
import type { LabHost } from "./host.ts";
import type { LabAction, LabSpec } from "./spec.ts";
import type { World } from "./summary.ts";

/** Source of forged REAs and replayed I2s (TEST-NET-2, RFC 5737). */
export const ATTACKER: Locator = { ip: "198.51.100.66", port: 10500 };
/** The spoofed source of the flood (TEST-NET-3), owned by a silent node so reflections show. */
export const SPOOFED: Locator = { ip: "203.0.113.7", port: 10500 };
export const FLOOD_COUNT = 100;
export const RENUMBER_GRACE_MS = 500;

class Silent implements SimEndpoint {
  handleDatagram(): void {}
  handleTimeout(): void {}
  pollTransmit(): Transmit | undefined {
    return undefined;
  }
  pollTimeout(): number | undefined {
    return undefined;
  }
}

const isHipType = (d: Uint8Array | undefined, type: number) => !!d && d.length > 6 && d[0] === 0 && d[1] === 0 && d[2] === 0 && d[3] === 0 && (d[6] & 0x7f) === type;

function hasNode(w: World, name: string): boolean {
  try {
    w.sim.addresses(name);
    return true;
  } catch {
    return false;
  }
}

/** Apply `spec` to `w`; returns messages for entries that do not fit this scenario (skipped). */
export function applySpec(w: World, spec: LabSpec): string[] {
  const errors: string[] = [];
  const sim = w.sim;
  for (const l of spec.links) {
    const bad = [l.a, l.b].filter((n) => !hasNode(w, n));
    if (bad.length) {
      errors.push(`link ${l.a}-${l.b}: no node ${bad.join(", ")} in this scenario`);
      continue;
    }
    const p: Record<string, number> = {};
    if (l.latency !== undefined) p.latency = l.latency;
    if (l.jitter !== undefined) p.jitter = l.jitter;
    if (l.loss !== undefined) p.loss = l.loss / 100;
    if (l.bandwidth !== undefined) {
      p.bandwidth = l.bandwidth;
      p.queueBytes = 64_000; // tail drop beyond a 64 kB backlog
    }
    sim.setPath(l.a, l.b, p);
  }
  const hosts: Record<string, LabHost> = { A: w.a, B: w.b };
  const dropped = new Map<string, Locator[]>();
  let fresh = 0;
  let spoofNode = false;
  const note = (t: number, text: string): void => {
    w.notes.push({ t, text: `lab action at ${t} ms: ${text}` });
  };
  const newAddr = (host: string, like: Locator): Locator => {
    fresh++;
    return like.ip.includes(":") ? { ip: `2001:db8:${(0x100 + fresh).toString(16)}::${host === "A" ? "a" : "b"}`, port: like.port } : { ip: `10.${100 + fresh}.0.${host === "A" ? 1 : 2}`, port: like.port };
  };
  for (const a of spec.actions) {
    const host = hosts[a.node];
    const needsHost = a.kind !== "crash-fa";
    if (needsHost && !host) {
      errors.push(`${a.kind} ${a.node}: only hosts A and B can be the target`);
      continue;
    }
    if (!needsHost && (!/^FA\d$/.test(a.node) || !hasNode(w, a.node))) {
      errors.push(`crash-fa ${a.node}: no Forwarding Agent ${a.node} in this scenario`);
      continue;
    }
    sim.at(a.t, () => run(a));
  }
  return errors;

  function run(a: LabAction): void {
    const t = sim.now;
    const addrs = sim.addresses(a.node);
    const cur = addrs[0];
    switch (a.kind) {
      case "move": {
        if (!cur) {
          note(t, `${a.node} has no address to move`);
          return;
        }
        const n = newAddr(a.node, cur);
        note(t, `${a.node} moves ${locatorKey(cur)} → ${locatorKey(n)} (old address gone at once)`);
        sim.renumber(a.node, cur, n);
        return;
      }
      case "drop": {
        if (!cur) {
          note(t, `${a.node} has no interface up to drop`);
          return;
        }
        note(t, `${a.node}'s interface ${locatorKey(cur)} goes down`);
        dropped.set(a.node, [...(dropped.get(a.node) ?? []), cur]);
        sim.removeAddress(a.node, cur);
        return;
      }
      case "restore": {
        const back = dropped.get(a.node)?.pop();
        if (!back) {
          note(t, `${a.node} has no dropped interface to restore`);
          return;
        }
        if (sim.ownerOf(back)) {
          note(t, `${locatorKey(back)} is taken by ${sim.ownerOf(back)}: not restored`);
          return;
        }
        note(t, `${a.node}'s interface ${locatorKey(back)} comes back`);
        sim.addAddress(a.node, back);
        return;
      }
      case "renumber": {
        const local = hosts[a.node].stack.local;
        if (!cur || !local) {
          note(t, `${a.node} has no address to renumber`);
          return;
        }
        const n = newAddr(a.node, cur);
        const id = local.interfaceOf(cur)?.id ?? 1;
        note(t, `${a.node} renumbered: ${locatorKey(n)} added (preferred), ${locatorKey(cur)} deprecated, withdrawn in ${RENUMBER_GRACE_MS} ms`);
        local.addAddress(id, n, t, { preferred: true });
        local.addAddress(id, cur, t, { lifetimeSec: 1 });
        local.deprecate(cur);
        sim.addAddress(a.node, n);
        sim.at(t + RENUMBER_GRACE_MS, () => {
          if (sim.ownerOf(cur) === a.node) sim.removeAddress(a.node, cur);
        });
        return;
      }
      case "restart":
        note(t, `${a.node} crashes and restarts: no state, no CLOSE sent`);
        hosts[a.node].restart(t);
        return;
      case "power-off":
        note(t, `${a.node} loses power for good (no CLOSE sent)`);
        hosts[a.node].powerOff(t);
        return;
      case "crash-fa":
        note(t, `${a.node} crashes (silently: every datagram to or from it is lost)`);
        sim.partition(a.node);
        return;
      case "forge-rea": {
        const peer = a.node === "A" ? "B" : "A";
        const rea = [...sim.trace].reverse().find((e) => e.kind === "sent" && e.node === peer && isHipType(e.data, PacketType.REA));
        if (!rea?.data || !cur) {
          note(t, `no REA from ${peer} seen yet to forge (or ${a.node} has no address)`);
          return;
        }
        const forged = rea.data.slice();
        const i = Math.min(forged.length - 1, 4 + 40 + 12); // inside the first parameter after the HIP header (REA_INFO)
        forged[i] ^= 0x01;
        note(t, `attacker ${ATTACKER.ip} sends ${a.node} a copy of ${peer}'s last REA with byte ${i} changed`);
        sim.inject(ATTACKER, cur, forged);
        return;
      }
      case "replay-i2": {
        const i2 = [...sim.trace].reverse().find((e) => e.kind === "delivered" && e.node === a.node && isHipType(e.data, PacketType.I2));
        if (!i2?.data || !cur) {
          note(t, `${a.node} never received an I2 (it was the Initiator?): nothing to replay`);
          return;
        }
        note(t, `attacker replays the I2 ${a.node} received at ${i2.t.toFixed(1)} ms (source ${locatorKey(i2.from)} spoofed)`);
        sim.inject(i2.from, cur, i2.data);
        return;
      }
      case "flood": {
        const i1 = sim.trace.find((e) => e.kind === "sent" && isHipType(e.data, PacketType.I1));
        if (!i1?.data || !cur) {
          note(t, `no I1 seen yet to flood with (or ${a.node} has no address)`);
          return;
        }
        if (!spoofNode && !sim.ownerOf(SPOOFED)) {
          sim.addNode("spoofed", new Silent(), [SPOOFED]);
          spoofNode = true;
        }
        note(t, `flood: ${FLOOD_COUNT} copies of an I1 to ${a.node} (${locatorKey(cur)}) in 50 ms, spoofed source ${SPOOFED.ip} (an innocent bystander)`);
        const data = i1.data;
        for (let k = 0; k < FLOOD_COUNT; k++) sim.at(t + k * 0.5, () => sim.inject(SPOOFED, cur, data));
        return;
      }
    }
  }
}
