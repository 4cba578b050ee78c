// Pre-computed R1s (RFC 7401 §4.1.1, §6.7.1, Appendix A). One R1 generation = counter, puzzle
// secret S, one DH key per group and one signed R1 per group. HIP_SIGNATURE_2 is computed once
// with the Receiver's HIT and PUZZLE Opaque / #I zeroed; per I1 only those fields are filled in.
// Generations rotate every r1Lifetime; solutions for the current and the previous generation
// are accepted (§4.1.2: valid for at least Lifetime, at most 2 * Lifetime). Under an I2 flood the
// #K of new generations rises (§4.1.1: the Responder sets the difficulty by its load; PROTOCOL §7.9).
import { sha384 } from "../core/crypto/sym.ts";
import { ctEqual } from "../core/bytes.ts";
import type { Millis, Rng } from "../core/types.ts";
import { HIP_HEADER_LEN, PacketType, ParamType } from "../wire/constants.ts";
import { emitPacket, type HipPacket } from "../wire/packet.ts";
import { tlvIndex } from "../wire/tlv.ts";
import type { Param } from "../wire/params/index.ts";
import { authenticate, type Signer } from "./auth.ts";
import { type DhKeyPair, generateDhKey } from "./dh.ts";
import { NULL_HIT } from "./hit.ts";
import { type HostIdentity, SUPPORTED_HIT_SUITES } from "./identity.ts";
import type { CHash as Hash } from "@noble/hashes/utils.js";
import { rhashOf } from "./keymat.ts";
import { espSuitesFor, type PeerProfile } from "./profile.ts";
import { puzzleI } from "./puzzle.ts";
import { SolvedPuzzles } from "./replay.ts";

export const ESP_TRANSFORM_TYPE = 4095;

/** #K added per load step, the least time between two raises, and the calm before a step back (PROTOCOL §7.9). */
export const LOAD_K_STEP = 4;
export const LOAD_RAISE_MS = 1000;
export const LOAD_COOL_MS = 30_000;

export interface R1Settings {
  k: number;
  lifetime: number;
  opaque: number;
  dhGroups: readonly number[];
  hipCiphers: readonly number[];
  espSuites: readonly number[];
  r1Lifetime: Millis;
  /** Solved puzzles remembered per generation (each accepted once); when full, I2s of that
   * generation are refused and new I1s get a new generation. Default 65 536. */
  maxSolvedPerGeneration?: number;
  /** The highest #K load raises new generations to (default `k`: never raised). */
  maxLoadK?: number;
  /** Told of each load step: "puzzle.raised" / "puzzle.lowered". */
  count?: (name: string) => void;
  /** Send R1_COUNTER (default true). */
  r1Counter?: boolean;
  /** Signs the R1s (HostCore.signer: the synchronous provider); default the identity (`@noble`). */
  signer?: Signer;
  /** Makes a generation's DH key of `group` (the synchronous provider); default `@noble`
   * (generateDhKey from the Rng: deterministic in the simulator). */
  dhKey?: (rng: Rng, group: number) => DhKeyPair;
}

export interface R1Generation {
  readonly counter: bigint;
  readonly secret: Uint8Array;
  readonly createdAt: Millis;
  readonly k: number;
  readonly opaque: number;
  readonly dh: Map<number, DhKeyPair>;
  /** Signed R1 per DH group: the params with the zeroed PUZZLE, HIP_SIGNATURE_2 last. */
  readonly params: Map<number, Param[]>;
  /** Signed R1 variants for peer profiles (profile name + group), built on first use. */
  readonly variants: Map<string, Param[]>;
  /** Emitted R1 per (profile name, group), built on first use: per I1 only the Receiver's HIT
   * and PUZZLE Opaque / #I are written into a copy (`puzzleAt`: offset of the PUZZLE value). */
  readonly emitted: Map<string, { bytes: Uint8Array; puzzleAt: number }>;
  /** (#I, #J) fingerprints of I2s whose crypto jobs are running. */
  readonly pending: Set<string>;
  /** (#I, #J) fingerprints already accepted (replay.ts). */
  readonly solved: SolvedPuzzles;
}

export class R1Factory {
  private cur: R1Generation | undefined;
  private prev: R1Generation | undefined;
  private nextCounter: bigint;
  private rotateNow = false;
  /** Load steps above `k` (overloaded / cool), when the level last changed, the last overload. */
  private level = 0;
  private changedAt = Number.NEGATIVE_INFINITY;
  private overloadAt = Number.NEGATIVE_INFINITY;

  constructor(
    private readonly id: HostIdentity,
    private readonly rng: Rng,
    private readonly s: R1Settings,
    counterStart: bigint,
  ) {
    this.nextCounter = counterStart;
  }

  /** The generation to answer I1s with at `now` (rotating it when expired). */
  current(now: Millis): R1Generation {
    this.cool(now);
    if (!this.cur || this.rotateNow || now - this.cur.createdAt >= this.s.r1Lifetime) {
      this.rotateNow = false;
      if (this.prev) wipe(this.prev);
      this.prev = this.cur;
      this.cur = this.build(now);
    }
    return this.cur;
  }

  /** #K of the puzzle a load `level` asks: `k` + 4 per step, capped at `maxLoadK` (never below `k`). */
  private kAt(level: number): number {
    const s = this.s;
    return Math.max(s.k, Math.min(s.maxLoadK ?? s.k, s.k + LOAD_K_STEP * level));
  }

  /** #K asked of an Initiator now (new generations): `k`, raised under an I2 flood. */
  demandedK(now: Millis): number {
    this.cool(now);
    return this.loadK;
  }

  /** #K of the current load level (as last computed; demandedK steps it back when calm). */
  get loadK(): number {
    return this.kAt(this.level);
  }

  /**
   * The I2 budget ran dry at `now` (HipHost.admitI2): one step harder, at most once per
   * LOAD_RAISE_MS; the next I1 gets a new generation with the new #K. True when it rose.
   */
  overloaded(now: Millis): boolean {
    this.overloadAt = now;
    if (this.kAt(this.level + 1) === this.kAt(this.level) || now - this.changedAt < LOAD_RAISE_MS) return false;
    this.level++;
    this.changedAt = now;
    this.rotateNow = true;
    this.s.count?.("puzzle.raised");
    return true;
  }

  /** One step back after LOAD_COOL_MS without an overload (and as long since the last step). */
  private cool(now: Millis): void {
    if (this.level === 0 || now - this.overloadAt < LOAD_COOL_MS || now - this.changedAt < LOAD_COOL_MS) return;
    this.level--;
    this.changedAt = now;
    this.rotateNow = true;
    this.s.count?.("puzzle.lowered");
  }

  /** RHASH of our HIT suite (§5.2.10): puzzle #I and its length. */
  get rhash(): Hash {
    return rhashOf(this.id.hitSuite) ?? sha384;
  }

  /** Without R1_COUNTER: the accepted generation whose #I for this Initiator is `randomI`. */
  findByPuzzle(now: Millis, initiatorHit: Uint8Array, randomI: Uint8Array): R1Generation | undefined {
    for (const g of [this.cur, this.prev]) {
      if (g && now - g.createdAt < 2 * this.s.r1Lifetime && ctEqual(puzzleI(this.rhash, g.secret, initiatorHit, this.id.hit), randomI)) return g;
    }
    return undefined;
  }

  /** Generation with this counter, if still accepted at `now` (current or previous). */
  find(now: Millis, counter: bigint): R1Generation | undefined {
    this.expire(now);
    if (this.cur?.counter === counter) return this.cur;
    if (this.prev?.counter === counter) return this.prev;
    return undefined;
  }

  /**
   * Accept the solved puzzle `key` (replay.ts puzzleKey) of `gen` once (issue 9 item 4).
   * "replayed": seen before; "full": the generation's memory is full (it is retired early).
   */
  acceptSolution(gen: R1Generation, key: string): "ok" | "replayed" | "full" {
    if (gen.solved.has(key)) return "replayed";
    if (!gen.solved.add(key)) {
      if (gen === this.cur) this.rotateNow = true;
      return "full";
    }
    if (gen.solved.full && gen === this.cur) this.rotateNow = true;
    return "ok";
  }

  /**
   * Solutions of `gen` whose I2 is in the crypto-job pipeline (crypto-jobs.ts). `add`: mark `key`
   * (returns true if it was marked already: a retransmitted I2 meanwhile); false: unmark.
   * Bounded by the core's maxCryptoJobs.
   */
  pendingSolution(gen: R1Generation, key: string, add: boolean): boolean {
    const had = gen.pending.has(key);
    if (add) gen.pending.add(key);
    else gen.pending.delete(key);
    return had;
  }

  /** True when a solution `key` of `gen` was accepted already. */
  solvedBefore(gen: R1Generation, key: string): boolean {
    return gen.solved.has(key);
  }

  /** Drops (and wipes) generations no longer accepted (§4.1.2: at most 2 * Lifetime). */
  private expire(now: Millis): void {
    const old = (g: R1Generation | undefined) => g !== undefined && now - g.createdAt >= 2 * this.s.r1Lifetime;
    if (old(this.prev)) {
      wipe(this.prev as R1Generation);
      this.prev = undefined;
    }
    if (old(this.cur)) {
      wipe(this.cur as R1Generation);
      this.cur = undefined;
    }
  }

  private build(now: Millis): R1Generation {
    const counter = this.nextCounter++;
    const secret = this.rng.fill(new Uint8Array(32));
    const k = this.kAt(this.level);
    const dh = new Map<number, DhKeyPair>();
    const params = new Map<number, Param[]>();
    for (const g of this.s.dhGroups) {
      const key = this.s.dhKey ? this.s.dhKey(this.rng, g) : generateDhKey(this.rng, g);
      dh.set(g, key);
      params.set(g, this.signedParams(counter, k, key));
    }
    const solved = new SolvedPuzzles(this.s.maxSolvedPerGeneration ?? 65_536);
    return { counter, secret, createdAt: now, k, opaque: this.s.opaque, dh, params, solved, pending: new Set(), variants: new Map(), emitted: new Map() };
  }

  /** R1 parameters, ascending (RFC 7401 §5.3.2 + RFC 7402 §5.2.1.1), signed with HIP_SIGNATURE_2. */
  private signedParams(counter: bigint, k: number, key: DhKeyPair, prof?: PeerProfile): Param[] {
    const s = this.s;
    const withCounter = s.r1Counter !== false && !prof?.fixedParameterSets;
    const params: Param[] = [
      ...(withCounter ? [{ kind: "R1_COUNTER", counter } as Param] : []),
      { kind: "PUZZLE", k, lifetime: s.lifetime, opaque: 0, randomI: new Uint8Array(this.rhash.outputLen) },
      // Profile switch r1SingleDhGroup (PROTOCOL §11.5): only the group of the DH parameter.
      { kind: "DH_GROUP_LIST", groups: prof?.r1SingleDhGroup ? [key.group] : [...s.dhGroups] },
      { kind: "DIFFIE_HELLMAN", groupId: key.group, publicValue: key.publicValue },
      { kind: "HIP_CIPHER", ciphers: [...s.hipCiphers] },
      { kind: "HOST_ID", algorithm: this.id.algorithm, hostIdentity: this.id.hostId, diType: 0, domainIdentifier: new Uint8Array(0) },
      // §5.2.10: the suites we accept for the Initiator's HIT, our own first.
      { kind: "HIT_SUITE_LIST", suites: [this.id.hitSuite, ...SUPPORTED_HIT_SUITES.filter((x) => x !== this.id.hitSuite)] },
      { kind: "TRANSPORT_FORMAT_LIST", formats: [ESP_TRANSFORM_TYPE] },
      { kind: "ESP_TRANSFORM", suites: espSuitesFor(prof, s.espSuites) },
    ];
    const pkt: HipPacket = { packetType: PacketType.R1, controls: 0, senderHit: this.id.hit, receiverHit: NULL_HIT, params };
    return authenticate(pkt, { hash: this.rhash, signer: this.s.signer ?? this.id, sig2: true }).params;
  }

  /** The signed parameters of the R1 for `group` (and `prof`'s variant, built on first use). */
  private signedFor(gen: R1Generation, group: number, prof: PeerProfile | undefined): Param[] {
    if (!prof) return gen.params.get(group)!;
    const key = `${prof.name}/${group}`;
    if (!gen.variants.has(key)) gen.variants.set(key, this.signedParams(gen.counter, gen.k, gen.dh.get(group)!, prof));
    return gen.variants.get(key)!;
  }

  /** R1 for one Initiator: first of our groups the I1 offered, else our first (§5.2.6, §6.7 step 4). */
  r1For(now: Millis, initiatorHit: Uint8Array, offered: readonly number[], prof?: PeerProfile): HipPacket {
    const gen = this.current(now);
    const group = this.s.dhGroups.find((g) => offered.includes(g)) ?? this.s.dhGroups[0];
    const signed = this.signedFor(gen, group, prof);
    const params = signed.map((p) =>
      p.kind === "PUZZLE" ? { ...p, opaque: gen.opaque, randomI: puzzleI(this.rhash, gen.secret, initiatorHit, this.id.hit) } : p,
    );
    return { packetType: PacketType.R1, controls: 0, senderHit: this.id.hit, receiverHit: initiatorHit, params };
  }

  /** r1For's packet, emitted (checksum 0): a copy of the generation's emitted R1 with the
   * Receiver's HIT and PUZZLE Opaque / #I filled in (the fields HIP_SIGNATURE_2 leaves out, §5.2.15). */
  r1Bytes(now: Millis, initiatorHit: Uint8Array, offered: readonly number[], prof?: PeerProfile): Uint8Array {
    const gen = this.current(now);
    const group = this.s.dhGroups.find((g) => offered.includes(g)) ?? this.s.dhGroups[0];
    const key = `${prof?.name ?? ""}/${group}`;
    let t = gen.emitted.get(key);
    if (!t) {
      const bytes = emitPacket({ packetType: PacketType.R1, controls: 0, senderHit: this.id.hit, receiverHit: NULL_HIT, params: this.signedFor(gen, group, prof) });
      const idx = tlvIndex(bytes, HIP_HEADER_LEN)!;
      t = { bytes, puzzleAt: idx.valueOffset(idx.find(ParamType.PUZZLE)) };
      gen.emitted.set(key, t);
    }
    const out = t.bytes.slice();
    out.set(initiatorHit, 24); // Receiver's HIT (§5.1)
    out[t.puzzleAt + 2] = gen.opaque >> 8; // PUZZLE: #K, Lifetime, Opaque, #I (§5.2.4)
    out[t.puzzleAt + 3] = gen.opaque & 0xff;
    out.set(puzzleI(this.rhash, gen.secret, initiatorHit, this.id.hit), t.puzzleAt + 4);
    return out;
  }
}

/** Zero-fill a retired generation's puzzle secret and DH private keys (issue 9 item 8). */
function wipe(g: R1Generation): void {
  g.secret.fill(0);
  for (const k of g.dh.values()) k.secret.fill(0);
  g.solved.clear();
  g.pending.clear();
}
