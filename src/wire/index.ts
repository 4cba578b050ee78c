// Public wire API (layer 1): smoltcp-style views + representations. See docs/PROTOCOL.md §1-§5.
export * from "./checksum.ts";
export * from "./constants.ts";
export * from "./error.ts";
export * from "./framing.ts";
export * from "./header.ts";
export * from "./packet.ts";
export * from "./params/index.ts";
export * from "./tunnel.ts";
export * from "./view.ts";
export * from "./walk.ts";
export * from "./tlv.ts";
export * from "./icmpv6.ts";
