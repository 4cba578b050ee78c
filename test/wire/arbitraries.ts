// fast-check arbitraries for valid wire representations (canonical: parse(emit(x)) deep-equals x).
import fc from "fast-check";
import { bytesToIp } from "../../src/core/addr.ts";
import { isMobilityPacket, PacketType } from "../../src/wire/constants.ts";
import type { HipPacket } from "../../src/wire/packet.ts";
import { sortParams } from "../../src/wire/packet.ts";
import { type KnownParamKind, type Param, paramKind } from "../../src/wire/params/index.ts";

const u8 = fc.integer({ min: 0, max: 0xff });
const u16 = fc.integer({ min: 0, max: 0xffff });
const u32 = fc.tuple(u16, u16).map(([a, b]) => a * 0x10000 + b);
const port = fc.integer({ min: 1, max: 0xffff });
const bytes = (min: number, max: number) => fc.uint8Array({ minLength: min, maxLength: max });
const ip6 = bytes(16, 16).map((b) => bytesToIp(b));
const ip4 = bytes(4, 4).map((b) => `${b[0]}.${b[1]}.${b[2]}.${b[3]}`);
const anyIp = fc.oneof(ip6, ip4);
const list = (a: fc.Arbitrary<number>) => fc.array(a, { minLength: 1, maxLength: 6 });

export const PARAM_ARBS: Record<KnownParamKind, fc.Arbitrary<Param>> = {
  ESP_INFO: fc.record({ kind: fc.constant("ESP_INFO" as const), keymatIndex: u16, oldSpi: u32, newSpi: u32 }),
  REA_INFO: fc.record({
    kind: fc.constant("REA_INFO" as const),
    interfaceId: u32,
    currentSpiReverse: u32,
    currentSpi: u32,
    newSpi: u32,
    keymatIndex: u16,
    reaId: u16,
    addresses: fc.array(fc.record({ lifetime: u32, ip: anyIp, port, preferred: fc.boolean() }), { maxLength: 3 }),
  }),
  R1_COUNTER: fc.record({ kind: fc.constant("R1_COUNTER" as const), counter: fc.bigInt({ min: 0n, max: (1n << 64n) - 1n }) }),
  AC_INFO: fc.record({ kind: fc.constant("AC_INFO" as const), acId: u16, reaId: u16, rttTimestamp: u32 }),
  FA_INFO: fc.record({
    kind: fc.constant("FA_INFO" as const),
    requestId: u16,
    leaseId: u16,
    leaseDuration: u32,
    port,
    address: fc.oneof(
      fc.constant({ addrType: 0 as const }),
      fc.record({ addrType: fc.constant(4 as const), minSpi: u32, maxSpi: u32, ip: ip4 }),
      fc.record({ addrType: fc.constant(6 as const), ip: ip6 }),
    ),
  }),
  LOCATOR_SET: fc.record({
    kind: fc.constant("LOCATOR_SET" as const),
    locators: fc.array(
      fc.record({ trafficType: u8, locatorType: u8, preferred: fc.boolean(), lifetime: u32, locator: fc.integer({ min: 0, max: 6 }).chain((n) => bytes(4 * n, 4 * n)) }),
      { minLength: 1, maxLength: 3 },
    ),
  }),
  PUZZLE: fc.record({ kind: fc.constant("PUZZLE" as const), k: u8, lifetime: u8, opaque: u16, randomI: bytes(1, 48) }),
  SOLUTION: fc.integer({ min: 1, max: 48 }).chain((n) => fc.record({ kind: fc.constant("SOLUTION" as const), k: u8, opaque: u16, randomI: bytes(n, n), solutionJ: bytes(n, n) })),
  SEQ: fc.record({ kind: fc.constant("SEQ" as const), updateId: u32 }),
  ACK: fc.record({ kind: fc.constant("ACK" as const), updateIds: list(u32) }),
  DH_GROUP_LIST: fc.record({ kind: fc.constant("DH_GROUP_LIST" as const), groups: list(u8) }),
  DIFFIE_HELLMAN: fc.record({ kind: fc.constant("DIFFIE_HELLMAN" as const), groupId: u8, publicValue: bytes(0, 97) }),
  HIP_CIPHER: fc.record({ kind: fc.constant("HIP_CIPHER" as const), ciphers: list(u16) }),
  ENCRYPTED: fc.record({ kind: fc.constant("ENCRYPTED" as const), ivAndData: bytes(0, 64) }),
  HOST_ID: fc.record({ kind: fc.constant("HOST_ID" as const), algorithm: u16, hostIdentity: bytes(0, 99), diType: fc.integer({ min: 0, max: 15 }), domainIdentifier: bytes(0, 30) }),
  HIT_SUITE_LIST: fc.record({ kind: fc.constant("HIT_SUITE_LIST" as const), suites: list(fc.integer({ min: 0, max: 15 })) }),
  CERT: fc.record({ kind: fc.constant("CERT" as const), group: u8, count: u8, id: u8, certType: u8, certificate: bytes(0, 40) }),
  NOTIFICATION: fc.record({ kind: fc.constant("NOTIFICATION" as const), notifyType: u16, data: bytes(0, 40) }),
  ECHO_REQUEST_SIGNED: fc.record({ kind: fc.constant("ECHO_REQUEST_SIGNED" as const), data: bytes(0, 20) }),
  ECHO_RESPONSE_SIGNED: fc.record({ kind: fc.constant("ECHO_RESPONSE_SIGNED" as const), data: bytes(0, 20) }),
  TRANSPORT_FORMAT_LIST: fc.record({ kind: fc.constant("TRANSPORT_FORMAT_LIST" as const), formats: list(u16) }),
  ESP_TRANSFORM: fc.record({ kind: fc.constant("ESP_TRANSFORM" as const), suites: list(u16) }),
  ESP_DATAGRAM: fc.record({ kind: fc.constant("ESP_DATAGRAM" as const), datagram: bytes(8, 80) }),
  HIP_MAC: fc.record({ kind: fc.constant("HIP_MAC" as const), mac: bytes(1, 48) }),
  HIP_MAC_2: fc.record({ kind: fc.constant("HIP_MAC_2" as const), mac: bytes(1, 48) }),
  HIP_SIGNATURE_2: fc.record({ kind: fc.constant("HIP_SIGNATURE_2" as const), algorithm: u16, signature: bytes(1, 96) }),
  HIP_SIGNATURE: fc.record({ kind: fc.constant("HIP_SIGNATURE" as const), algorithm: u16, signature: bytes(1, 96) }),
  ECHO_RESPONSE_UNSIGNED: fc.record({ kind: fc.constant("ECHO_RESPONSE_UNSIGNED" as const), data: bytes(0, 20) }),
  ECHO_REQUEST_UNSIGNED: fc.record({ kind: fc.constant("ECHO_REQUEST_UNSIGNED" as const), data: bytes(0, 20) }),
  HMAC: fc.record({ kind: fc.constant("HMAC" as const), hmac: bytes(20, 20) }),
};

export const PACKET_TYPES: number[] = Object.values(PacketType);

/** A parameter valid inside a packet of `packetType` (known kinds for that context, or unknown). */
export function paramArb(packetType: number): fc.Arbitrary<Param> {
  const mm = isMobilityPacket(packetType);
  const kinds = (Object.keys(PARAM_ARBS) as KnownParamKind[]).filter((k) => (mm ? k !== "R1_COUNTER" : k !== "REA_INFO" && k !== "AC_INFO" && k !== "FA_INFO"));
  const unknown = fc
    .record({ kind: fc.constant("UNKNOWN" as const), type: u16, value: bytes(0, 40) })
    .filter((p) => paramKind(packetType, p.type) === undefined) as fc.Arbitrary<Param>;
  return fc.oneof(...kinds.map((k) => PARAM_ARBS[k]), unknown);
}

/** A valid packet of any type: params sorted ascending (RFC 7401 §5.2.1). */
export const packetArb: fc.Arbitrary<HipPacket> = fc.constantFrom(...PACKET_TYPES).chain((packetType) =>
  fc.record({
    packetType: fc.constant(packetType),
    controls: u16,
    senderHit: bytes(16, 16),
    receiverHit: bytes(16, 16),
    params: fc.array(paramArb(packetType), { maxLength: 6 }).map(sortParams),
  }),
);
