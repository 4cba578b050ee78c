// Whole-stack numbers on loopback UDP, each against plain UDP measured in the same run:
// - base exchange time (P-256 identity and DH, K=0 and K=10) vs 2 RTT of a UDP ping-pong;
// - associations per second one responder completes vs plain 4-datagram exchanges per second;
// (ESP round trips and the one-way ESP stream through two hosts: bench/udp-esp.bench.ts.)
import { cryptoRng } from "../src/core/rng.ts";
import type { Locator } from "../src/core/types.ts";
import { HostIdentity } from "../src/hip/identity.ts";
import type { RuntimeHost } from "../src/runtime/host.ts";
import type { CryptoProvider } from "../src/core/crypto/provider.ts";
import { withFallback } from "../src/core/crypto/fallback.ts";
import { nobleProvider } from "../src/core/crypto/noble.ts";
import { WebCryptoProvider } from "../src/core/crypto/webcrypto.ts";
import { startNodeHost } from "../src/runtime/node.ts";
import { newDataPlane } from "../src/runtime/stack.ts";
import { bindNodeUdp, type NodeUdpSocket } from "../src/transport/udp-node.ts";
import type { BenchRow } from "./run.ts";
import { costRow, rateRow } from "./util.ts";

const IP = "127.0.0.1";
const P256 = { dhGroups: [7], espSuites: [13] };
const P384 = { dhGroups: [8], espSuites: [13] };

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)];
}

/** A socket that answers every datagram with the same bytes. */
async function udpEcho(): Promise<NodeUdpSocket> {
  const s = await bindNodeUdp(IP, 0);
  s.onDatagram((data, from) => s.send({ to: from, data }));
  return s;
}

/** `rounds` sequential request/response pairs of the given sizes from one client socket (a
 *  datagram lost on loopback is sent again after 1 s, so the loop always ends). */
async function udpExchange(server: Locator, sizes: number[], rounds = 1): Promise<number[]> {
  const c = await bindNodeUdp(IP, 0);
  const times: number[] = [];
  let wake: () => void = () => {};
  c.onDatagram(() => wake());
  for (let r = 0; r < rounds; r++) {
    const t0 = performance.now();
    for (const n of sizes) {
      for (let tries = 0; ; tries++) {
        let timer: ReturnType<typeof setTimeout> | undefined;
        const got = await new Promise<boolean>((res) => {
          wake = () => res(true);
          timer = setTimeout(() => res(false), 1000);
          c.send({ to: server, data: new Uint8Array(n) });
        });
        clearTimeout(timer);
        if (got) break;
        if (tries === 5) throw new Error("udpExchange: no answer on loopback after 6 tries");
      }
    }
    times.push(performance.now() - t0);
  }
  await c.close();
  return times;
}


/** `runs` exchanges, or (`minMs` > 0) at least `runs` and until `minMs` have passed (warm-up). */
async function baseExchangeMs(responder: RuntimeHost, k: number, runs: number, curve: "P-256" | "P-384" = "P-256", crypto?: "inline" | CryptoProvider, minMs = 0): Promise<number> {
  const times: number[] = [];
  const hip = curve === "P-256" ? { ...P256, puzzleK: k } : { ...P384, puzzleK: k };
  const start = performance.now();
  for (let i = 0; i < runs || performance.now() - start < minMs; i++) {
    const a = await startNodeHost({ identity: HostIdentity.generate(cryptoRng, curve), listen: [`${IP}:0`], hip, dataPlane: shared, crypto });
    const t0 = performance.now();
    await a.connect(responder.locals[0], responder.hit, { timeoutMs: 10_000 });
    times.push(performance.now() - t0);
    await a.close();
  }
  return median(times);
}

const shared = newDataPlane();
/** Warm-up before the measured exchanges: at least this many, and for at least WARMUP_MS. In a
 * fresh process the median of 21 exchanges stays at 3.0–4.4 ms for the first ~200 exchanges
 * (about 1 s), then falls to 1.8 and, after ~800, 1.55 ms: V8 is still tiering up the whole host
 * and growing its young generation (a new host's setup time falls from 0.93 to 0.65 ms at the
 * same moment; with --min-semi-space-size=16 the fall comes 4x sooner). 150 warm-ups were enough
 * only when other bench files had run in the same process before (bench/run.ts). */
const WARMUP = 150;
const WARMUP_MS = 3000;
const RUNS = 21;
/** What the base-exchange rows measure (node:crypto default). */
const BEX_NOTE = `a fresh Initiator host per run (median of ${RUNS}), all in this process with the Responder, after ≥ ${WARMUP} warm-up exchanges and ≥ ${WARMUP_MS / 1000} s of them (V8 optimises the handlers; first_ms: the first exchange of the run, cold); the Responder's HI and its R1 signature (same for a whole R1 generation) are parsed and verified once (src/hip/identity.ts, runtime/crypto-node.ts caches); R1 rate limit raised (every Initiator is on 127.0.0.1)`;
/** The Responder answers every I1 here (HIP_LIMITS: 20 R1/s per /24 would pace the warm-up). */
const R1_LIMITS = { limits: { r1PerPrefix: { ratePerSec: 1e6, burst: 1e6 }, i2PerPrefix: { ratePerSec: 1e6, burst: 1e6 } } };

export async function run(): Promise<BenchRow[]> {
  const rows: BenchRow[] = [];
  const echo = await udpEcho();
  const rtt = median(await udpExchange(echo.local, [64], 300));

  for (const k of [0, 10]) {
    const responder = await startNodeHost({ identity: HostIdentity.generate(cryptoRng, "P-256"), listen: [`${IP}:0`], hip: { ...P256, puzzleK: k, ...R1_LIMITS } });
    // Warm-up: R1 precomputation, JIT (see WARMUP). Medians of 50 fresh-host exchanges, one after
    // the other in one process: 3.97, 3.68, 2.55, 2.43 ms (10 warm-ups left this row at 3.3–5.2 ms).
    const first = await baseExchangeMs(responder, k, 1);
    await baseExchangeMs(responder, k, WARMUP, "P-256", undefined, WARMUP_MS);
    const ms = await baseExchangeMs(responder, k, RUNS);
    rows.push(costRow(`udp.base-exchange.p256.k${k}`, "ms", ms, 2 * rtt, { baselineName: "2 RTT UDP ping-pong", crypto: "node:crypto jobs (startNodeHost default)", first_ms: Math.round(first * 100) / 100, note: BEX_NOTE }));
    await responder.close();
  }
  // P-384 identities and DH group 8 (issue 12: ≤ 10 ms); and both curves with @noble inline
  // (crypto: "inline", the pre-WebCrypto behaviour) and on WebCrypto jobs (the default outside
  // Node) for comparison in the same run.
  const webCrypto = withFallback((await WebCryptoProvider.create())!, nobleProvider);
  for (const curve of ["P-384", "P-256"] as const) {
    const ms: number[] = [];
    for (const crypto of [undefined, "inline", webCrypto] as const) {
      const responder = await startNodeHost({ identity: HostIdentity.generate(cryptoRng, curve), listen: [`${IP}:0`], hip: { ...(curve === "P-256" ? P256 : P384), puzzleK: 0, ...R1_LIMITS }, crypto });
      // @noble inline takes ~20 / 65 ms per exchange: fewer warm-ups (its time is the curve math).
      await baseExchangeMs(responder, 0, crypto === "inline" ? 2 : WARMUP, curve, crypto, crypto === "inline" ? 0 : WARMUP_MS);
      ms.push(await baseExchangeMs(responder, 0, crypto === "inline" ? 8 : RUNS, curve, crypto));
      await responder.close();
    }
    if (curve === "P-384") rows.push(costRow("udp.base-exchange.p384.k0", "ms", ms[0], 2 * rtt, { baselineName: "2 RTT UDP ping-pong", crypto: "node:crypto jobs (startNodeHost default)", noble_inline_ms: ms[1], note: BEX_NOTE }));
    const c = curve === "P-256" ? "p256" : "p384";
    rows.push(costRow(`udp.base-exchange.${c}.k0.webcrypto-vs-noble`, "ms", ms[2], ms[1], { baselineName: "@noble inline (crypto: \"inline\")" }));
    // node:crypto, synchronous (runtime/crypto-node.ts, startNodeHost's default): no Promise /
    // thread-pool hop per job, and the cores' hashes on OpenSSL (core/crypto/sym.ts).
    rows.push(costRow(`udp.base-exchange.${c}.k0.node-crypto-vs-noble`, "ms", ms[0], ms[1], { baselineName: "@noble inline (crypto: \"inline\")", webcrypto_ms: ms[2] }));
  }

  // Associations per second: `conc` initiators at a time against one responder (same process).
  const responder = await startNodeHost({ identity: HostIdentity.generate(cryptoRng, "P-256"), listen: [`${IP}:0`], hip: { ...P256, puzzleK: 0 } });
  await baseExchangeMs(responder, 0, 1);
  const total = 24;
  const conc = 4;
  const ids = Array.from({ length: total }, () => HostIdentity.generate(cryptoRng));
  const initiators = await Promise.all(ids.map((identity) => startNodeHost({ identity, listen: [`${IP}:0`], hip: { ...P256, puzzleK: 0 }, dataPlane: shared })));
  let next = 0;
  const t0 = performance.now();
  await Promise.all(
    Array.from({ length: conc }, async () => {
      while (next < total) await initiators[next++].connect(responder.locals[0], responder.hit, { timeoutMs: 10_000 });
    }),
  );
  const assocRate = (total * 1000) / (performance.now() - t0);
  await Promise.all(initiators.map((h) => h.close()));
  let plainDone = 0;
  const p0 = performance.now();
  await Promise.all(
    Array.from({ length: conc }, async () => {
      while (plainDone < total * 5) {
        plainDone++;
        await udpExchange(echo.local, [52, 556]);
      }
    }),
  );
  const plainRate = (plainDone * 1000) / (performance.now() - p0);
  rows.push(rateRow("udp.responder.associations", "assoc/s", assocRate, plainRate, { baselineName: "plain UDP 2×RTT exchanges", concurrency: conc, note: "initiators run in the same process" }));
  await responder.close();

  await echo.close();
  return rows;
}
