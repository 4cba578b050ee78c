// hipmm/capture: pcap read/write, IP/UDP framing, the HIP dissector behind `hipmm decode`,
// tshark ESP key files, and one sample packet of every type. No node: imports.
export { PcapWriter, PcapReader, parsePcap, isPcap, linkPayload, LINKTYPE_RAW, LINKTYPE_IPV4, LINKTYPE_IPV6, type PcapRecord, type PcapHeader, type PcapWriterOptions } from "../capture/pcap.ts";
export { buildIp, buildIpv4, buildIpv6, buildUdp, buildUdpSegment, inetChecksum, pseudoHeader } from "../capture/ip.ts";
export { parseIpPacket, parseUdp, demuxUdpPayload, type CaptureError, type IpPacket, type UdpDatagram, type Demuxed } from "../capture/parse-ip.ts";
export { espSaUatLine, espSaUatFile, tsharkEspArgs, TSHARK_ESP_SUITES, type EspSaEntry } from "../capture/esp-sa.ts";
export { dissectHip, dissectPcap, packetTypeName, type HipDissection, type FrameDissection, type ParamDissection } from "../capture/dissect.ts";
export { samplePackets, SAMPLE_PACKET_NAMES, type SamplePacket } from "../sample/packets.ts";
