// Node-only --pcap / --esp-sa support for `hipmm host` and `hipmm demo`: every UDP/10500 datagram
// into a pcap file (src/capture), and each installed SA as a tshark esp_sa line (mode 0600;
// keys are written only because the user asked for them with --esp-sa).
import type { EspSaEntry } from "../capture/esp-sa.ts";
import { writeEspSaFile } from "../capture/esp-sa-file.ts";
import { createPcapFile, type PcapFileWriter } from "../capture/pcap-file.ts";
import type { PacketTap } from "./driver.ts";
import type { StackEvent } from "./stack.ts";

export interface CaptureHooks {
  tap: PacketTap | undefined;
  onEvent: (ev: StackEvent) => void;
  close(): void;
}

export function captureHooks(pcapPath: string | undefined, espSaPath: string | undefined): CaptureHooks {
  const pcap: PcapFileWriter | undefined = pcapPath ? createPcapFile(pcapPath) : undefined;
  const sas: EspSaEntry[] = [];
  return {
    tap: pcap
      ? (_dir, now, data, from, to) => pcap.writeUdp(performance.timeOrigin + now, from, to, data)
      : undefined,
    onEvent(ev) {
      if (!espSaPath || (ev.type !== "sa-install" && ev.type !== "sa-add")) return;
      for (const sa of ev.type === "sa-add" ? [ev.sa] : [ev.inbound, ev.outbound]) sas.push({ src: "*", dst: "*", spi: sa.spi, suite: sa.suite, encKey: sa.encKey, authKey: sa.authKey });
      writeEspSaFile(espSaPath, sas);
    },
    close() {
      pcap?.close();
    },
  };
}
