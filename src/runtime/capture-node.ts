// Node-only --pcap / --esp-sa support for `hipmm host` and `hipmm demo`: every UDP/10500 datagram
// into a pcap file (src/capture), and each installed SA as a tshark esp_sa line (mode 0600;
// keys are written only because the user asked for them with --esp-sa).
// Both files are created at once (a bad path fails before anything runs, as a CaptureFileError
// naming it); a later write error (disk full…) is reported once through `onError` and stops
// that file, never the host.
import { equalBytes } from "../core/bytes.ts";
import { keyedSas, type SaParams } from "../hip/sa.ts";
import type { EspSaEntry } from "../capture/esp-sa.ts";
import { appendEspSaFile, writeEspSaFile } from "../capture/esp-sa-file.ts";
import { createPcapFile, type PcapFileWriter } from "../capture/pcap-file.ts";
import type { PacketTap } from "./driver.ts";
import type { StackEvent } from "./stack.ts";

export interface CaptureHooks {
  tap: PacketTap | undefined;
  onEvent: (ev: StackEvent) => void;
  close(): void;
}

/** Creating one of the capture files failed. */
export class CaptureFileError extends Error {
  constructor(
    readonly kind: "pcap" | "esp-sa",
    readonly path: string,
    readonly error: unknown,
  ) {
    super(`${path}: ${(error as Error)?.message ?? String(error)}`);
    this.name = "CaptureFileError";
  }
}

export function captureHooks(
  pcapPath: string | undefined,
  espSaPath: string | undefined,
  onError: (kind: "pcap" | "esp-sa", path: string, e: unknown) => void = (kind, path, e) => console.error(`hipmm: --${kind} ${path}: ${(e as Error).message} (stopped writing it)`),
): CaptureHooks {
  let pcap: PcapFileWriter | undefined;
  try {
    pcap = pcapPath ? createPcapFile(pcapPath) : undefined;
  } catch (e) {
    throw new CaptureFileError("pcap", pcapPath!, e);
  }
  let espSa = espSaPath;
  if (espSa) {
    try {
      writeEspSaFile(espSa, []);
    } catch (e) {
      pcap?.close();
      throw new CaptureFileError("esp-sa", espSa, e);
    }
  }
  const recent: SaParams[] = [];
  return {
    tap: pcap
      ? (_dir, now, data, from, to) => {
          if (!pcap) return;
          try {
            pcap.writeUdp(performance.timeOrigin + now, from, to, data);
          } catch (e) {
            onError("pcap", pcapPath!, e);
            pcap.close();
            pcap = undefined;
          }
        }
      : undefined,
    onEvent(ev) {
      // Every SA that gets keys: the base exchange's pair, a new inbound SA announced early
      // (sa-add), and a rekey's pair (its outbound SA, and with a new Diffie-Hellman the
      // requester's inbound one, appear only in sa-rekey).
      // A responder's new inbound SA comes twice (sa-add, then sa-rekey): the last few written
      // are remembered, so each SA is one line; the file is appended to, never rewritten (a host
      // rekeying every few datagrams for hours writes O(SAs), not O(SAs²)).
      if (!espSa) return;
      const fresh: EspSaEntry[] = [];
      for (const sa of keyedSas(ev)) {
        if (recent.some((x) => x.spi === sa.spi && equalBytes(x.encKey, sa.encKey))) continue;
        recent.push(sa);
        if (recent.length > 16) recent.shift();
        fresh.push({ src: "*", dst: "*", spi: sa.spi, suite: sa.suite, encKey: sa.encKey, authKey: sa.authKey });
      }
      if (fresh.length === 0) return;
      try {
        appendEspSaFile(espSa, fresh);
      } catch (e) {
        onError("esp-sa", espSa, e);
        espSa = undefined;
      }
    },
    close() {
      pcap?.close();
    },
  };
}
