// Placeholder; replaced by the parameter walk (RFC 7401 §5.2.1).
export function abiVersion(): i32 {
  return 1;
}
