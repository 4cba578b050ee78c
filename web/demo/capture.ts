// The run as files for Wireshark/tshark: two pcaps of every datagram as it was sent — UDP/10500
// exactly as on the wire, and a raw-IP variant (HIP as IP protocol 139 with its checksum over the
// IP pseudo-header, RFC 7401 §5.1.1; ESP as IP protocol 50) that Wireshark's HIP and ESP
// dissectors read without configuration — plus the ESP keys of every SA of the run as tshark
// esp_sa lines (src/capture/esp-sa.ts). Virtual time starts at 2024-01-01 00:00 UTC, as in
// `hipmm lab --pcap`.
import { espSaUatFile, uniqueEspSas } from "../../src/capture/esp-sa.ts";
import { IPPROTO_ESP } from "../../src/capture/ip.ts";
import { PcapWriter } from "../../src/capture/pcap.ts";
import type { SaKeys } from "../../src/lab/observe.ts";
import type { TraceEvent } from "../../src/sim/types.ts";
import { fillChecksum } from "../../src/wire/checksum.ts";

export const PCAP_EPOCH = Date.UTC(2024, 0, 1);

const u32 = (d: Uint8Array) => ((d[0] << 24) | (d[1] << 16) | (d[2] << 8) | d[3]) >>> 0;

function sent(trace: readonly TraceEvent[]): TraceEvent[] {
  return trace.filter((e) => e.kind === "sent" && e.data && e.from.ip !== "");
}

/** UDP/10500 datagrams as sent (HIP after the zero marker, ESP, FA relay frames). */
export function pcapUdp(trace: readonly TraceEvent[]): Uint8Array {
  const w = new PcapWriter();
  for (const e of sent(trace)) w.writeUdp(PCAP_EPOCH + e.t, e.from, e.to, e.data!);
  return w.bytes();
}

/** HIP as IP protocol 139, ESP as IP protocol 50; relay frames and keepalives stay UDP. */
export function pcapRaw(trace: readonly TraceEvent[]): Uint8Array {
  const w = new PcapWriter();
  for (const e of sent(trace)) {
    const d = e.data!;
    const t = PCAP_EPOCH + e.t;
    if (d.length >= 8 && u32(d) === 0) {
      const hip = d.slice(4);
      fillChecksum(hip, e.from.ip, e.to.ip);
      w.writeHip(t, e.from.ip, e.to.ip, hip);
    } else if (d.length >= 8 && u32(d) > 0xff) w.writeIp(t, e.from.ip, e.to.ip, IPPROTO_ESP, d);
    else w.writeUdp(t, e.from, e.to, d);
  }
  return w.bytes();
}

/** tshark/Wireshark esp_sa file: one line per SA of the run (any address: "*"). */
export function espKeysFile(keys: readonly SaKeys[]): string {
  // Once per SA (a live run observes only the browser host, so its outbound SAs count too).
  return `# hipmm web demo: ESP SAs of this run (tshark esp_sa UAT; keys of a simulated run)\n${espSaUatFile(uniqueEspSas(keys))}`;
}

/** Offer bytes as a file download. */
export function download(name: string, data: Uint8Array | string, type: string): void {
  const blob = new Blob([typeof data === "string" ? data : (data as Uint8Array<ArrayBuffer>)], { type });
  const a = document.createElement("a");
  a.href = URL.createObjectURL(blob);
  a.download = name;
  document.body.append(a);
  a.click();
  a.remove();
  setTimeout(() => URL.revokeObjectURL(a.href), 10_000);
}

/** Hook the three download buttons to the run on screen. */
export function wireDownloads(current: () => { name: string; trace: readonly TraceEvent[]; keys?: readonly SaKeys[] } | undefined): void {
  const on = (id: string, fn: (r: NonNullable<ReturnType<typeof current>>) => void) =>
    document.getElementById(id)?.addEventListener("click", () => {
      const r = current();
      if (r) fn(r);
    });
  on("dl-pcap", (r) => download(`${r.name}.pcap`, pcapUdp(r.trace), "application/vnd.tcpdump.pcap"));
  on("dl-pcap-raw", (r) => download(`${r.name}-raw.pcap`, pcapRaw(r.trace), "application/vnd.tcpdump.pcap"));
  on("dl-keys", (r) => download(`${r.name}-esp_sa.txt`, espKeysFile(r.keys ?? []), "text/plain"));
}
