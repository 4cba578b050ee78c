// Settings a host cannot work with are refused when the host is made, with the field's name
// (RangeError), in the library as on the command line. Before, a DH group, HIP cipher or ESP suite
// we do not implement, or an empty list, was taken: the base exchange then never completed (no
// error anywhere); a limit of NaN, Infinity or `undefined` switched its bound off (`n >= NaN` is
// never true: state without bound, the one thing limits are for).
import assert from "node:assert/strict";
import { test } from "node:test";
import { SeededRng } from "../../src/core/rng.ts";
import { createHost, createIdentity, udp } from "../../src/entry/node.ts";
import { ForwardingAgent } from "../../src/fa/core/agent.ts";
import { FA_DEFAULTS, faConfig } from "../../src/fa/core/config.ts";
import { HipHost } from "../../src/hip/host.ts";
import { HostIdentity } from "../../src/hip/identity.ts";
import { HIP_LIMITS, type HipLimits, resolveLimits } from "../../src/hip/limits.ts";
import type { HipHostConfig } from "../../src/hip/types.ts";
import { UpdateExtension } from "../../src/hip/update.ts";
import { startNodeHost } from "../../src/runtime/node.ts";
import { HostStack } from "../../src/runtime/stack.ts";

const identity = HostIdentity.generate(new SeededRng(1));
const host = (cfg: Partial<HipHostConfig>) => new HipHost({ identity, rng: new SeededRng(2), ...cfg });

test("config: algorithms not implemented here, empty lists and out-of-range numbers throw a RangeError naming the field", () => {
  for (const [cfg, want] of [
    [{ dhGroups: [9] }, /HipHostConfig\.dhGroups: 9 is not implemented here \(want some of 7 P-256, 8 P-384\)/],
    [{ dhGroups: [] }, /HipHostConfig\.dhGroups: empty/],
    [{ dhGroups: [7, 11] }, /dhGroups: 11 /],
    [{ espSuites: [12] }, /HipHostConfig\.espSuites: 12 is not implemented/],
    [{ hipCiphers: [3] }, /HipHostConfig\.hipCiphers: 3 is not implemented/],
    [{ puzzleK: 256 }, /HipHostConfig\.puzzleK: 256: want an integer from 0 to 255/],
    [{ puzzleK: Number.NaN }, /puzzleK: NaN/],
    [{ maxPuzzleK: -1 }, /maxPuzzleK: -1/],
    [{ puzzleOpaque: 0x10000 }, /puzzleOpaque/],
    [{ r1Lifetime: 0 }, /r1Lifetime: 0/],
    [{ retransmit: { initialMs: Number.NaN } }, /retransmit\.initialMs: NaN/],
    [{ retransmit: { maxTries: 0 } }, /retransmit\.maxTries: 0/],
  ] as [Partial<HipHostConfig>, RegExp][]) {
    assert.throws(() => host(cfg), (e: unknown) => e instanceof RangeError && want.test(e.message), JSON.stringify(cfg));
  }
  // What we implement is taken; an undefined field keeps its default.
  assert.doesNotThrow(() => host({ dhGroups: [7], espSuites: [1, 7, 8, 9, 13], hipCiphers: [1, 2, 4], puzzleK: 0, retransmit: { initialMs: undefined } }));
});

test("config: limits that would switch a bound off (NaN, Infinity, negative, unknown name) throw; undefined keeps the default", () => {
  for (const [l, want] of [
    [{ maxAssociations: Number.NaN }, /limits\.maxAssociations: NaN: want a finite number/],
    [{ maxHalfOpen: Number.POSITIVE_INFINITY }, /limits\.maxHalfOpen: Infinity/],
    [{ maxSas: -5 }, /limits\.maxSas: -5: want at least 1/],
    [{ maxEspQueue: 1.5 }, /limits\.maxEspQueue: 1\.5: want an integer/],
    [{ prefixV4: 33 }, /limits\.prefixV4: 33: want at most 32/],
    [{ r1Global: { ratePerSec: Number.NaN, burst: 5 } }, /limits\.r1Global\.ratePerSec: NaN/],
    [{ r1Global: 5 }, /limits\.r1Global: want an object with ratePerSec, burst/],
    [{ probePerIp: { windowMs: 0 } }, /limits\.probePerIp\.windowMs: 0: want at least 1/],
    [{ maxAssociation: 10 }, /limits\.maxAssociation: unknown \(want one of maxAssociations, /],
  ] as [Partial<HipLimits>, RegExp][]) {
    assert.throws(() => resolveLimits(l), (e: unknown) => e instanceof RangeError && want.test(e.message), JSON.stringify(l));
    assert.throws(() => host({ limits: l }), RangeError);
  }
  const r = resolveLimits({ maxAssociations: undefined, ualIdleMs: 0, r1Global: { ratePerSec: 0.5, burst: undefined as unknown as number } });
  assert.equal(r.maxAssociations, HIP_LIMITS.maxAssociations, "undefined keeps the default (it used to replace it)");
  assert.equal(r.ualIdleMs, 0, "0 = never");
  assert.deepEqual(r.r1Global, { ratePerSec: 0.5, burst: HIP_LIMITS.r1Global.burst });
  assert.notEqual(r.r1Global, HIP_LIMITS.r1Global, "a copy: the defaults are not shared");
});

test("config: the high-level API rejects such settings when the host is made, before any socket", async () => {
  await assert.rejects(createHost({ identity: createIdentity(), transport: udp("127.0.0.1:0"), hip: { dhGroups: [9] } }), /dhGroups: 9 is not implemented/);
  await assert.rejects(createHost({ identity: createIdentity(), transport: udp("127.0.0.1:0"), hip: { limits: { maxAssociations: Number.NaN } } }), /limits\.maxAssociations: NaN/);
});

test("config: rekey, heartbeat and runtime timers that are not integers in range throw naming the option", async () => {
  const rng = new SeededRng(5);
  assert.throws(() => new UpdateExtension(host({}), { oldSpiLingerMs: Number.NaN }), /UpdateOptions\.oldSpiLingerMs: NaN/);
  assert.throws(() => new UpdateExtension(host({}), { newDh: "sometimes" as "always" }), /UpdateOptions\.newDh: sometimes/);
  assert.throws(() => host({ heartbeatMs: -1 }), /HipHostConfig\.heartbeatMs: -1/);
  // Nothing is left behind by a refused host: no socket, no Worker (one was started for "worker"
  // and "worker-io" before the settings were looked at, and stayed: the process never exited).
  const ours = (r: string) => r === "MessagePort" || r === "Worker" || r.startsWith("UDP");
  const resources = () => process.getActiveResourcesInfo().filter(ours).length;
  const before = resources();
  for (const dataPlane of [undefined, "worker", "worker-io"] as const) {
    for (const [opts, want] of [
      [{ rekey: { threshold: Number.NaN } }, /rekey\.threshold: NaN: want an integer from 1 to 4294967296/],
      [{ natKeepaliveMs: Number.NaN }, /natKeepaliveMs: NaN/],
      [{ drainMs: -1 }, /drainMs: -1/],
      [{ hip: { limits: { maxSas: Number.NaN } } }, /limits\.maxSas: NaN/],
    ] as const) {
      await assert.rejects(startNodeHost({ identity: HostIdentity.generate(rng), listen: ["127.0.0.1:0"], dataPlane, ...opts }), want);
    }
  }
  for (let t = 0; t < 50 && resources() > before; t++) await new Promise((r) => setTimeout(r, 20));
  assert.ok(resources() <= before, `left behind: ${process.getActiveResourcesInfo().filter(ours).join(", ")}`);
  await assert.rejects(createHost({ identity: createIdentity(), transport: udp("127.0.0.1:0"), rekey: { threshold: 0 } }), /rekey\.threshold: 0/);
});

test("config: a Forwarding Agent client's options are checked too (NaN retry, 33-bit lifetime, odd addrType)", () => {
  for (const [o, want] of [
    [{ retryMs: Number.NaN }, /fa\.retryMs: NaN/],
    [{ lifetime: 2 ** 32 }, /fa\.lifetime: 4294967296/],
    [{ addrType: 5 }, /fa\.addrType: 5: want 0, 4 or 6/],
    [{ renewAt: 0 }, /fa\.renewAt: 0/],
    [{ tries: 0 }, /fa\.tries: 0/],
  ] as const) {
    const rng = new SeededRng(6);
    assert.throws(
      () => new HostStack({ host: { identity: HostIdentity.generate(rng), rng }, mobility: {}, addresses: [{ ip: "192.0.2.1", port: 10500 }], fa: { fas: [{ locator: { ip: "192.0.2.9", port: 10500 } }], ...o } as never }),
      want,
    );
  }
});

test("config: Forwarding Agent limits are checked the same way (faConfig and the agent itself)", () => {
  assert.throws(() => faConfig({ maxLeases: Number.NaN }), /FaConfig\.maxLeases: NaN: want a finite number/);
  assert.throws(() => faConfig({ leasesPerSource: 0 }), /FaConfig\.leasesPerSource: 0: want at least 1/);
  assert.throws(() => faConfig({ puzzleKMax: 41 }), /FaConfig\.puzzleKMax: 41: want at most 40/);
  assert.throws(() => faConfig({ spiFirst: 16 }), /FaConfig\.spiFirst\.\.spiLast: 16\.\./);
  assert.equal(faConfig({ maxLeases: undefined }).maxLeases, FA_DEFAULTS.maxLeases);
  assert.equal(faConfig({ leasePacketsPerSecond: 0.5, puzzleK: 0 }).leasePacketsPerSecond, 0.5);
  const rng = new SeededRng(3);
  assert.throws(() => new ForwardingAgent({ identity: HostIdentity.generate(rng), config: { ...FA_DEFAULTS, permissionsPerLease: Number.NaN }, rng }), /FaConfig\.permissionsPerLease: NaN/);
});
