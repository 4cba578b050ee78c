// Crypto jobs (issue 12 Deliver 1; docs/ARCHITECTURE.md "Crypto jobs"). The sans-I/O core never
// awaits: a handler that needs a public-key operation (signature, verification, ECDH) asks
// `CryptoJobs.request(op, resume)`. Inline mode (the default: simulator, unit tests) runs the
// operation at once with @noble and calls `resume` in the same stack, so behaviour and Rng use
// are those of plain synchronous code. Job mode (HipHostConfig.cryptoJobs) queues the job;
// the driver takes it with `pollCryptoJob()`, runs it on a provider (`runCryptoJob`, WebCrypto
// by default) and hands the result back with `handleCryptoResult(now, id, result)`, after
// which the continuation runs and the usual pollTransmit / pollEvent / pollTimeout follow.
// Continuations re-check the state they depend on (the association may have moved on).
import { nobleProvider } from "../core/crypto/noble.ts";
import { type CryptoProvider, isPromise, type MaybePromise } from "../core/crypto/provider.ts";
import type { Millis, Rng } from "../core/types.ts";
import { computeKij, type DhKeyPair, dhSeedLength, generateDhKey } from "./dh.ts";
import type { Signer } from "./auth.ts";
import type { HostIdentity, PeerIdentity } from "./identity.ts";
import { MAX_PUZZLE_TRIES, PuzzleSearch } from "./puzzle.ts";

export type CryptoOp =
  /** Verify `signature` over `data` with the peer's HI (RFC 7401 §6.4.2). */
  | { op: "verify"; peer: PeerIdentity; data: Uint8Array; signature: Uint8Array }
  /** Sign `data` with our HI (HIP_SIGNATURE / HIP_SIGNATURE_2). */
  | { op: "sign"; signer: HostIdentity; data: Uint8Array }
  /** Kij with a key we hold (a Responder's R1 generation key, §6.9 step 10). */
  | { op: "ecdh"; own: DhKeyPair; peerPublic: Uint8Array }
  /** A fresh key pair and Kij (an Initiator's I2 key, §6.8); `seed` drawn from the core's Rng. */
  | { op: "ephemeral-ecdh"; group: number; seed: Uint8Array; peerPublic: Uint8Array }
  /**
   * A puzzle #J (RFC 7401 §4.1.2) searched from `start` (drawn from the core's Rng): #K is the
   * peer's choice, so a runtime spreads the search over event-loop turns and gives up after
   * `budgetMs`, or as soon as `wanted()` says the exchange is gone (driver.ts); run at once here
   * (simulator, inline mode).
   */
  | { op: "puzzle"; rhash: (m: Uint8Array) => Uint8Array; randomI: Uint8Array; hitI: Uint8Array; hitR: Uint8Array; k: number; start: Uint8Array; budgetMs: number; wanted?: () => boolean };

export interface CryptoResults {
  verify: boolean;
  sign: Uint8Array;
  ecdh: Uint8Array | undefined;
  "ephemeral-ecdh": { publicValue: Uint8Array; kij: Uint8Array } | undefined;
  puzzle: Uint8Array | undefined;
}

export type CryptoJob = CryptoOp & { readonly id: number };
export type CryptoResult = CryptoResults[keyof CryptoResults];

const CURVE: Record<number, "P-256" | "P-384"> = { 7: "P-256", 8: "P-384" };

function chainOr(a: MaybePromise<boolean>, next: () => MaybePromise<boolean>): MaybePromise<boolean> {
  if (isPromise(a)) return a.then((ok) => ok || next());
  return a || next();
}

/** Run one operation on `p`; algorithms `p` lacks (RSA, Ed25519 in some browsers) run on the
 * identity's own code / `@noble`. A provider that throws falls back to `@noble` for that job. */
export function runCryptoJob(p: CryptoProvider, job: CryptoOp): MaybePromise<CryptoResult> {
  let r: MaybePromise<CryptoResult>;
  try {
    r = runOn(p, job);
  } catch {
    return runOn(nobleProvider, job);
  }
  return isPromise(r) ? r.catch(() => runOn(nobleProvider, job)) : r;
}

function runOn(p: CryptoProvider, job: CryptoOp): MaybePromise<CryptoResult> {
  switch (job.op) {
    case "verify": {
      const key = job.peer.providerKey;
      if (!key || !p.supports(key.alg)) return job.peer.verify(job.data, job.signature);
      if (job.signature.length !== job.peer.signatureLength) return false;
      // §5.2.10: HIT suite 2 is ECDSA/SHA-384; a P-256 HI's SHA-256 signature (RFC 4754) is
      // accepted too (identity.ts).
      const first = p.verify(key, "SHA-384", job.data, job.signature);
      return key.alg === "ECDSA-P256" ? chainOr(first, () => p.verify(key, "SHA-256", job.data, job.signature)) : first;
    }
    case "sign": {
      const key = job.signer.signingKey;
      return key && p.supports(key.alg) ? p.sign(key, "SHA-384", job.data) : job.signer.sign(job.data);
    }
    case "ecdh": {
      const curve = CURVE[job.own.group];
      if (!curve) return undefined;
      return (p.supports(curve) ? p : nobleProvider).ecdh({ curve, pub: job.own.publicValue, secret: job.own.secret }, job.peerPublic);
    }
    case "ephemeral-ecdh": {
      const curve = CURVE[job.group];
      if (!curve) return undefined;
      return (p.supports(curve) ? p : nobleProvider).ephemeralEcdh(curve, job.seed, job.peerPublic);
    }
    case "puzzle":
      return new PuzzleSearch(job.rhash, job.randomI, job.hitI, job.hitR, job.k, job.start).step(MAX_PUZZLE_TRIES);
  }
}

/**
 * Public-key operations run at once, outside crypto jobs (what the core signs and verifies
 * inline: CLOSE / CLOSE_ACK, UPDATE, NOTIFY, R1 generations, mobility and FA messages): on
 * `sync` when it is a synchronous provider (node:crypto, ~20x `@noble`), else with the
 * identity's own code (`@noble`; deterministic, RFC 6979). An asynchronous provider is ignored.
 */
export class InlineCrypto {
  private readonly sync: CryptoProvider | undefined;
  /** Public-key operations run inline (not as jobs), on the synchronous provider or with `@noble`
   * (~1.6 ms for a P-256 signature where node:crypto takes ~0.05 ms): `hip.crypto.inline.*`. */
  readonly inline = { native: 0, noble: 0 };

  constructor(sync?: CryptoProvider) {
    this.sync = sync?.synchronous ? sync : undefined;
  }

  /** True when inline operations run on a synchronous native provider (else `@noble`). */
  get native(): boolean {
    return this.sync !== undefined;
  }

  /** Signature over `data` by `signer`. */
  signNow(signer: HostIdentity, data: Uint8Array): Uint8Array {
    const r = this.sync ? runNow(this.sync, { op: "sign", signer, data }) : undefined;
    if (r instanceof Uint8Array) {
      this.inline.native++;
      return r;
    }
    this.inline.noble++;
    return signer.sign(data);
  }

  /** Verify `signature` over `data` with the peer's HI. */
  verifyNow(peer: PeerIdentity, data: Uint8Array, signature: Uint8Array): boolean {
    const r = this.sync ? runNow(this.sync, { op: "verify", peer, data, signature }) : undefined;
    if (typeof r === "boolean") {
      this.inline.native++;
      return r;
    }
    this.inline.noble++;
    return peer.verify(data, signature);
  }

  /** Kij of `own` and the peer's public value (undefined: invalid value), at once: the
   * synchronous provider, else `@noble` (a Diffie-Hellman in UPDATE, RFC 7402 §6.10). */
  ecdhNow(own: DhKeyPair, peerPublic: Uint8Array): Uint8Array | undefined {
    if (this.sync) {
      const r = runNow(this.sync, { op: "ecdh", own, peerPublic });
      if (r instanceof Uint8Array) {
        this.inline.native++;
        return r;
      }
    }
    this.inline.noble++;
    return computeKij(own, peerPublic);
  }

  /** `signNow` as `id`, as an auth.ts Signer. */
  signerFor(id: HostIdentity): Signer {
    return { algorithm: id.algorithm, sign: (d) => this.signNow(id, d) };
  }

  /** An R1 generation's DH key of `group`: on the synchronous provider (node:crypto ~0.05 ms for
   * P-256, where `@noble` takes ~1 ms and its first call of a process far more), else
   * generateDhKey from `rng` (deterministic in the simulator). */
  dhKey(rng: Rng, group: number): DhKeyPair {
    const curve = CURVE[group];
    if (this.sync && curve && this.sync.supports(curve)) {
      const seed = rng.fill(new Uint8Array(dhSeedLength(group)));
      try {
        const k = this.sync.generateEcdh(curve, seed);
        if (!isPromise(k)) return { group, publicValue: k.pub, secret: k.secret };
        k.catch(() => {});
      } catch {
        // @noble below
      }
    }
    return generateDhKey(rng, group);
  }
}

/** `op` on a synchronous provider; undefined if it threw or (misdeclared) returned a Promise. */
function runNow(p: CryptoProvider, op: CryptoOp): CryptoResult | undefined {
  try {
    const r = runOn(p, op);
    if (!isPromise(r)) return r;
    r.catch(() => {});
  } catch {
    // fall back to @noble (the caller)
  }
  return undefined;
}

type Resume = (now: Millis, result: CryptoResult) => void;

/** The core's queue of crypto jobs (HipHost owns one), and its inline operations. */
export class CryptoJobs extends InlineCrypto {
  private nextId = 1;
  private readonly queued: CryptoJob[] = [];
  private readonly waiting = new Map<number, Resume>();

  /** @param jobs queue jobs for a driver (else run inline with `@noble`); @param max jobs
   * outstanding at once (queued or running): beyond it requests are refused; @param sync a
   * synchronous provider for `signNow` / `verifyNow` (else `@noble`). */
  constructor(
    readonly jobs: boolean,
    private readonly max: number,
    sync?: CryptoProvider,
  ) {
    super(sync);
  }

  /** Public-key jobs queued for the driver since the start (job mode). */
  queuedTotal = 0;

  /** Jobs requested and not yet completed. */
  get outstanding(): number {
    return this.waiting.size;
  }

  /**
   * Run `op` and continue with `resume(now, result)`: at once (inline mode) or when the driver
   * hands the result back (job mode). False when refused (`max` jobs outstanding): the caller
   * drops the packet (a flood of I2s must not queue unbounded work).
   */
  request<K extends CryptoOp["op"]>(now: Millis, op: Extract<CryptoOp, { op: K }>, resume: (now: Millis, result: CryptoResults[K]) => void): boolean {
    const puzzle = op.op === "puzzle"; // not public-key work: not counted as such
    if (!this.jobs) {
      if (!puzzle) this.inline.noble++;
      resume(now, runCryptoJob(nobleProvider, op) as CryptoResults[K]);
      return true;
    }
    if (this.waiting.size >= this.max) return false;
    const id = this.nextId++;
    if (!puzzle) this.queuedTotal++;
    this.queued.push({ ...op, id });
    this.waiting.set(id, resume as Resume);
    return true;
  }

  /**
   * True when public-key work goes to a job rather than inline: job mode on an asynchronous
   * provider (WebCrypto: browsers, Deno, workerd). On a synchronous provider (node:crypto,
   * ~0.05 ms) an inline call is cheaper than a job round trip, and without jobs (the
   * simulator, unit tests) inline keeps the run deterministic.
   */
  get deferred(): boolean {
    return this.jobs && !this.native;
  }

  /**
   * Sign `data` as `signer` and continue with `resume(now, signature)`: at once inline
   * (`signNow`), or as a job when {@link deferred}. What a host signs of its own accord outside
   * the base exchange (CLOSE, CLOSE_ACK, FAQ) goes through here, so a browser or Worker does
   * not block on `@noble` for it. Never refused: with `max` jobs outstanding it signs inline.
   */
  signThen(now: Millis, signer: HostIdentity, data: Uint8Array, resume: (now: Millis, signature: Uint8Array) => void): void {
    if (!this.deferred || !this.request(now, { op: "sign", signer, data }, resume)) resume(now, this.signNow(signer, data));
  }

  /** `verifyNow`, or a verification job when {@link deferred}. False when the job was refused
   * (`max` jobs outstanding: the caller drops the packet), and `resume` is not called. */
  verifyThen(now: Millis, peer: PeerIdentity, data: Uint8Array, signature: Uint8Array, resume: (now: Millis, valid: boolean) => void): boolean {
    if (!this.deferred) {
      resume(now, this.verifyNow(peer, data, signature));
      return true;
    }
    return this.request(now, { op: "verify", peer, data, signature }, resume);
  }

  poll(): CryptoJob | undefined {
    return this.queued.shift();
  }

  /** The continuation of job `id` (undefined if unknown or completed already). */
  take(id: number): Resume | undefined {
    const r = this.waiting.get(id);
    this.waiting.delete(id);
    return r;
  }
}
