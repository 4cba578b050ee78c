// HIP base exchanges per second through the pure sans-I/O core (no simulator, no sockets):
// one Responder, fresh Initiators, packets handed over directly. Baseline, same run: the
// public-key work one exchange cannot avoid (2 ECDSA signs, 3 verifies, 2 DH key pairs and
// 2 shared secrets on P-256), i.e. the ceiling the protocol overhead is measured against.
import { p256 } from "@noble/curves/nist.js";
import { SeededRng } from "../src/core/rng.ts";
import type { Locator } from "../src/core/types.ts";
import { HipHost } from "../src/hip/host.ts";
import { HostIdentity } from "../src/hip/identity.ts";
import type { BenchRow } from "./run.ts";
import { costRow, opsPerSecond, rateRow } from "./util.ts";
import { ecdhSeedLength, nobleProvider } from "../src/core/crypto/noble.ts";
import type { CryptoProvider } from "../src/core/crypto/provider.ts";
import { WebCryptoProvider } from "../src/core/crypto/webcrypto.ts";
import { generateDhKey } from "../src/hip/dh.ts";
import { nodeCryptoProvider } from "../src/runtime/crypto-node.ts";

function pump(hosts: [HipHost, Locator][], now: number): void {
  for (let moved = true; moved; ) {
    moved = false;
    for (const [h] of hosts) {
      for (let t = h.pollTransmit(); t; t = h.pollTransmit()) {
        const dst = hosts.find(([, l]) => l.ip === t.to.ip);
        if (!dst) continue;
        dst[0].handleDatagram(now, t.data.subarray(4), t.from ?? { ip: "0.0.0.0", port: 0 }, dst[1]);
        moved = true;
      }
      while (h.pollEvent());
    }
  }
}

export async function run(_argv: string[]): Promise<BenchRow[]> {
  const rng = new SeededRng(1);
  const rLoc = { ip: "10.0.0.1", port: 10500 };
  const responder = new HipHost({ identity: HostIdentity.generate(rng), rng, puzzleK: 4, dhGroups: [7] });
  const initiators = Array.from({ length: 8 }, () => HostIdentity.generate(rng));
  let n = 0;
  let now = 0;
  const exchange = () => {
    const iLoc = { ip: `10.1.${(n >> 8) & 255}.${n & 255}`, port: 10500 };
    const ini = new HipHost({ identity: initiators[n % initiators.length], rng, dhGroups: [7] });
    n++;
    ini.connect(now, rLoc, responder.hit, iLoc);
    pump(
      [
        [ini, iLoc],
        [responder, rLoc],
      ],
      now,
    );
    now += 1;
  };
  const value = opsPerSecond(exchange, 1500);

  const k = p256.keygen();
  const msg = new Uint8Array(400);
  const sig = p256.sign(msg, k.secretKey);
  const crypto = () => {
    for (let i = 0; i < 2; i++) p256.sign(msg, k.secretKey);
    for (let i = 0; i < 3; i++) p256.verify(sig, msg, k.publicKey, { lowS: false });
    for (let i = 0; i < 2; i++) {
      const d = p256.keygen();
      p256.getSharedSecret(d.secretKey, k.publicKey);
    }
  };
  const baseline = opsPerSecond(crypto, 1000);
  const rows = [rateRow("hip-core base exchanges (P-256, DH 7, K=4)", "exchanges/s", value, baseline, { note: "baseline = unavoidable ECDSA/ECDH work per exchange" })];
  return [...rows, closeRow(), ...(await providerRows())];
}

/** CPU µs of one CLOSE / CLOSE_ACK exchange (2 signs, 2 verifies, P-256) between two cores,
 * both signing inline on node:crypto (HipHostConfig.syncCrypto, as startNodeHost does) vs
 * @noble (the default of a bare HipHost). Each close follows an untimed base exchange. */
function closeRow(): BenchRow {
  const measure = (sync: CryptoProvider | undefined): number => {
    const rng = new SeededRng(2);
    const rLoc = { ip: "10.0.0.1", port: 10500 };
    const iLoc = { ip: "10.0.0.2", port: 10500 };
    const r = new HipHost({ identity: HostIdentity.generate(rng), rng, puzzleK: 0, dhGroups: [7], syncCrypto: sync });
    const i = new HipHost({ identity: HostIdentity.generate(rng), rng, dhGroups: [7], syncCrypto: sync });
    const pair: [HipHost, Locator][] = [
      [i, iLoc],
      [r, rLoc],
    ];
    let us = 0;
    const n = 40;
    for (let k = 0; k < n + 5; k++) {
      i.connect(k, rLoc, r.hit, iLoc);
      pump(pair, k);
      const c0 = process.cpuUsage();
      i.close(k, r.hit);
      pump(pair, k);
      const c = process.cpuUsage(c0);
      if (k >= 5) us += c.user + c.system;
      if (i.association(r.hit)) throw new Error("close did not complete");
    }
    return us / n;
  };
  const node = measure(nodeCryptoProvider());
  const noble = measure(undefined);
  return costRow("hip-core close (CLOSE + CLOSE_ACK, P-256: 2 signs, 2 verifies), syncCrypto node:crypto", "µs", node, noble, { baselineName: "same, @noble inline (a HipHost without syncCrypto)" });
}

/** µs per awaited call of `fn`, `n` calls in turn after a warm-up. */
async function usPerCall(fn: () => unknown, n: number): Promise<number> {
  for (let i = 0; i < Math.min(20, n); i++) await fn();
  const t0 = performance.now();
  for (let i = 0; i < n; i++) await fn();
  return ((performance.now() - t0) * 1000) / n;
}

/** Crypto providers per operation (issue 12): WebCrypto awaited and node:crypto vs @noble. */
async function providerRows(): Promise<BenchRow[]> {
  const rows: BenchRow[] = [];
  const web = (await WebCryptoProvider.create())!;
  const node = nodeCryptoProvider();
  const rng = new SeededRng(2);
  for (const [curve, group] of [["P-256", 7], ["P-384", 8]] as const) {
    const id = HostIdentity.generate(rng, curve);
    const peer = id.toPeer();
    const data = rng.fill(new Uint8Array(400));
    const sig = id.sign(data);
    const own = generateDhKey(rng, group);
    const other = generateDhKey(rng, group).publicValue;
    const ownRef = { curve, pub: own.publicValue, secret: own.secret };
    const ops: [string, (p: CryptoProvider) => unknown][] = [
      ["sign", (p) => p.sign(id.signingKey!, "SHA-384", data)],
      ["verify", (p) => p.verify(peer.providerKey!, "SHA-384", data, sig)],
      ["ecdh", (p) => p.ecdh(ownRef, other)],
      ["ephemeral-ecdh", (p) => p.ephemeralEcdh(curve, rng.fill(new Uint8Array(ecdhSeedLength(curve))), other)],
    ];
    for (const [op, f] of ops) {
      const n = curve === "P-256" ? 200 : 100;
      const noble = await usPerCall(() => f(nobleProvider), n / 4);
      const w = await usPerCall(() => f(web), n);
      const nd = await usPerCall(() => f(node), n);
      rows.push(costRow(`hip-core crypto.${curve}.${op}.webcrypto`, "µs", w, noble, { baselineName: "@noble", node_crypto_us: nd, note: "awaited, keys imported once (cached)" }));
    }
  }
  return rows;
}
