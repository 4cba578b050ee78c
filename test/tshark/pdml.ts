// Minimal reader for tshark's PDML (-T pdml): per packet, the list of <field> attributes.
// Enough to get HIP TLV headers, which tshark shows as "NAME (type=T, length=L)" with a
// frame offset (pos); -T json drops positions and lengths.

export interface PdmlField {
  name: string;
  show: string;
  showname: string;
  pos: number;
  size: number;
}

const ENTITIES: Record<string, string> = { "&quot;": '"', "&amp;": "&", "&lt;": "<", "&gt;": ">", "&#x27;": "'" };

function attrs(tag: string): Record<string, string> {
  const out: Record<string, string> = {};
  for (const m of tag.matchAll(/(\w+)="([^"]*)"/g)) out[m[1]] = m[2].replace(/&(quot|amp|lt|gt|#x27);/g, (e) => ENTITIES[e] ?? e);
  return out;
}

/** Packets in document order, each a flat list of its fields. */
export function parsePdml(xml: string): PdmlField[][] {
  return xml
    .split("<packet>")
    .slice(1)
    .map((pkt) =>
      [...pkt.matchAll(/<field\s[^>]*>/g)].map((m) => {
        const a = attrs(m[0]);
        return { name: a.name ?? "", show: a.show ?? "", showname: a.showname ?? "", pos: Number(a.pos ?? -1), size: Number(a.size ?? 0) };
      }),
    );
}

export interface TsharkTlv {
  type: number;
  length: number;
  /** Offset of the TLV in the frame. */
  pos: number;
}

/** HIP TLV headers tshark found in one packet (its "type=…, length=…" items). */
export function hipTlvs(fields: readonly PdmlField[]): TsharkTlv[] {
  const out: TsharkTlv[] = [];
  for (const f of fields) {
    if (f.name !== "hip.type") continue;
    const m = /\(type=(\d+), length=(\d+)\)/.exec(f.showname);
    if (m) out.push({ type: Number(m[1]), length: Number(m[2]), pos: f.pos });
  }
  return out;
}

export function fieldValues(fields: readonly PdmlField[], name: string): string[] {
  return fields.filter((f) => f.name === name).map((f) => f.show);
}
