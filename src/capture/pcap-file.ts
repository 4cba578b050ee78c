// Node-only helpers around pcap.ts: write a capture file packet by packet (synchronous
// appends, so a crash loses at most the current packet) and read one back.
import { closeSync, openSync, readFileSync, writeSync } from "node:fs";
import { type PcapRecord, PcapWriter, type PcapWriterOptions, parsePcap, type PcapHeader } from "./pcap.ts";
import type { CaptureError } from "./parse-ip.ts";

export interface PcapFileWriter extends PcapWriter {
  /** Close the file. */
  close(): void;
}

/** Creates (truncates) `path` and returns a PcapWriter that appends each record to it. */
export function createPcapFile(path: string, o: Omit<PcapWriterOptions, "sink"> = {}): PcapFileWriter {
  const fd = openSync(path, "w", 0o644);
  let open = true;
  const w = new PcapWriter({
    ...o,
    sink: (chunk) => {
      if (open) writeSync(fd, chunk);
    },
  }) as PcapFileWriter;
  w.close = () => {
    if (!open) return;
    open = false;
    closeSync(fd);
  };
  return w;
}

/** Read a whole pcap file (Node), or an error. */
export function readPcapFile(path: string): {
  /** The file header. */
  header: PcapHeader;
  /** Every record. */
  records: PcapRecord[];
} | CaptureError {
  return parsePcap(new Uint8Array(readFileSync(path)));
}
