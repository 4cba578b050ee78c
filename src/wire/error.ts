// Wire errors are values, never exceptions (ARCHITECTURE.md "Rules"). Each carries the byte
// offset (from the start of the buffer handed to the parser) where the problem was found.

/** Every error code the wire layer reports; documented in docs/PROTOCOL.md §5. */
export const WireErrorCode = {
  /** Buffer shorter than the fixed HIP header (40 bytes) or than Header Length says. */
  TRUNCATED: "TRUNCATED",
  /** Next Header is not 59 (IPPROTO_NONE), RFC 7401 §5.1. */
  BAD_NEXT_HEADER: "BAD_NEXT_HEADER",
  /** Header Length < 4 (no room for both HITs), RFC 7401 §5.1. */
  BAD_HEADER_LENGTH: "BAD_HEADER_LENGTH",
  /** Version field is not 2 (HIPv2). */
  BAD_VERSION: "BAD_VERSION",
  /** Fixed bit 0 of byte 2 is not 0 or fixed bit 7 of byte 3 is not 1. */
  BAD_FIXED_BITS: "BAD_FIXED_BITS",
  /** Packet type 0 or otherwise unusable. */
  BAD_PACKET_TYPE: "BAD_PACKET_TYPE",
  /** Fewer than 4 bytes left where a TLV header should start. */
  PARAM_TRUNCATED: "PARAM_TRUNCATED",
  /** A TLV's Length (plus padding) runs past the end of the packet. */
  PARAM_OVERRUN: "PARAM_OVERRUN",
  /** A parameter type is smaller than the one before it (RFC 7401 §5.2.1). */
  PARAM_ORDER: "PARAM_ORDER",
  /** A known parameter has a Length its layout does not allow. */
  PARAM_LENGTH: "PARAM_LENGTH",
  /** A known parameter's field holds a value its layout does not allow. */
  PARAM_VALUE: "PARAM_VALUE",
  /** Bytes after the end given by Header Length. */
  TRAILING_BYTES: "TRAILING_BYTES",
  /** Checksum does not verify against the pseudo-header (RFC 7401 §5.1.1). */
  BAD_CHECKSUM: "BAD_CHECKSUM",
  /** A critical parameter the receiver does not know (RFC 7401 §5.2.1); from checkCritical(). */
  UNKNOWN_CRITICAL: "UNKNOWN_CRITICAL",
  /** A parameter the packet must carry is absent; from requireParam(). */
  MISSING_PARAM: "MISSING_PARAM",
  /** A parameter that may appear once appears more than once; from checkDuplicates(). */
  DUPLICATE_PARAM: "DUPLICATE_PARAM",
  /** UDP/10500 datagram too short to classify (RFC 5770 §5.1 marker / ESP SPI). */
  BAD_MARKER: "BAD_MARKER",
  /** Tunnel frame shorter than its header. */
  FRAME_TRUNCATED: "FRAME_TRUNCATED",
  /** Tunnel frame version is not 1. */
  FRAME_VERSION: "FRAME_VERSION",
  /** Tunnel frame type unknown. */
  FRAME_TYPE: "FRAME_TYPE",
  /** Tunnel frame flags or reserved byte not valid. */
  FRAME_FLAGS: "FRAME_FLAGS",
} as const;

export type WireErrorCode = (typeof WireErrorCode)[keyof typeof WireErrorCode];

/** A parse error: what went wrong and where. */
export interface WireError {
  /** Error code. */
  code: WireErrorCode;
  /** Byte offset in the packet (or value) where it was found. */
  offset: number;
  /** Human-readable text. */
  message: string;
  /** The field or parameter concerned, when known. */
  field?: string;
}

/** Success with a value, or a {@link WireError}; parsers return this instead of throwing. */
export type Result<T> =
  | {
      /** Success. */
      ok: true;
      /** The parsed value. */
      value: T;
    }
  | {
      /** Failure. */
      ok: false;
      /** The error. */
      error: WireError;
    };

/** The failure half of Result<T>; assignable to every Result<T>. */
export type Err = {
  /** Failure. */
  ok: false;
  /** The error. */
  error: WireError;
};

/** A success {@link Result}. */
export function ok<T>(value: T): {
  /** Success. */
  ok: true;
  /** The value. */
  value: T;
} {
  return { ok: true, value };
}

/** A failure {@link Result} (`field`: the field concerned). */
export function err(code: WireErrorCode, offset: number, message: string, field?: string): Err {
  const error: WireError = field === undefined ? { code, offset, message } : { code, offset, message, field };
  return { ok: false, error };
}
