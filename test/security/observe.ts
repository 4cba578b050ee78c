// Watches a HostStack's real ESP data plane: every SA installed (direction, suite, keys) and
// every ESP packet sealed (its SA's key and the packet's IV). Nothing is replaced: the calls go
// on to the WASM data plane unchanged. Used to prove that no (key, salt) and no (key, IV) pair
// repeats (issue 9 item 1).
import { sha256 } from "@noble/hashes/sha2.js";
import { concat, hex } from "../../src/core/bytes.ts";
import type { SaParams } from "../../src/esp/types.ts";
import type { HostStack } from "../../src/runtime/stack.ts";

const GCM = 13;

function fp(sa: SaParams): string {
  return hex(sha256(concat(new Uint8Array([sa.suite]), sa.encKey, sa.authKey)).subarray(0, 16));
}

/** IV bytes of an ESP packet (RFC 4303 §2: SPI, Sequence Number, then the IV). */
function ivOf(suite: number, packet: Uint8Array): Uint8Array {
  return packet.subarray(8, 8 + (suite === GCM ? 8 : suite === 7 ? 0 : 16));
}

export class KeyObserver {
  /** Key fingerprint of every SA installed, "<host>/<in|out>" → fingerprints. */
  readonly installs: { host: string; direction: string; key: string; spi: number }[] = [];
  /** Installs whose (key, salt) had been installed before: any outbound SA of either host, or an inbound SA of the same host. */
  readonly repeatedKeys: string[] = [];
  /** Sealed packets whose (key, IV) had been used before. */
  readonly repeatedIvs: string[] = [];
  sealed = 0;
  private readonly keys = new Set<string>();
  private readonly ivs = new Set<string>();

  attach(name: string, stack: HostStack): void {
    const dp = stack.dataPlane;
    if (!dp) throw new Error("observer needs the in-process data plane");
    const handles = new Map<number, SaParams>();
    const install = dp.installSa.bind(dp);
    dp.installSa = (p: SaParams): number => {
      const h = install(p);
      const key = fp(p);
      // One host never holds two SAs of one direction with one key; and the keys one host
      // sends with are never the keys the peer sends with (RFC 7401 §6.5 gl/lg halves).
      const slot = `${name}:in:${key}`;
      this.installs.push({ host: name, direction: p.direction, key, spi: p.spi });
      if (p.direction === "out") {
        if (this.keys.has(`out:${key}`)) this.repeatedKeys.push(`${name} out spi ${p.spi.toString(16)}`);
        this.keys.add(`out:${key}`);
      } else {
        if (this.keys.has(slot)) this.repeatedKeys.push(`${name} in spi ${p.spi.toString(16)}`);
        this.keys.add(slot);
      }
      handles.set(h, p);
      return h;
    };
    // Every seal path the stack uses: seal (ESP of any inner packet) and sealUdpPacket (BEET UDP
    // built and sealed in WASM, the data path of HostStack.send); sealOne and sealUdp call these.
    const seen = (handle: number, packet: Uint8Array): Uint8Array => {
      const sa = handles.get(handle);
      if (packet.length > 0 && sa && sa.suite !== 7) {
        this.sealed++;
        const k = `${fp(sa)}:${hex(ivOf(sa.suite, packet))}`;
        if (this.ivs.has(k)) this.repeatedIvs.push(`${name} spi ${sa.spi.toString(16)} seq ${dp.lastSeq}`);
        this.ivs.add(k);
      }
      return packet;
    };
    const seal = dp.seal.bind(dp);
    dp.seal = (handle, nh, payload) => seen(handle, seal(handle, nh, payload));
    const sealUdpPacket = dp.sealUdpPacket.bind(dp);
    dp.sealUdpPacket = (handle, pseudo, sp, dport, data) => seen(handle, sealUdpPacket(handle, pseudo, sp, dport, data));
  }
}
