// Tiny helpers for building SVG/HTML as strings (the demo redraws small scenes each frame).

export function esc(s: string): string {
  return s.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
}

/** CSS class for a HIP packet label (colour families in style.css). */
export function packetClass(label: string): string {
  if (/^(I1|R1|I2|R2)\b/.test(label)) return "p-bex";
  if (/^(REA|AC|ACR)\b/.test(label)) return "p-mm";
  if (/^(FAQ|FAA|FAD)\b/.test(label)) return "p-fa";
  if (label === "ESP") return "p-esp";
  return "p-other";
}

export const fmtMs = (t: number): string => `${t.toFixed(1)} ms`;

export function hex8(n: number): string {
  return `0x${(n >>> 0).toString(16).padStart(8, "0")}`;
}
