// The self-signed WebTransport certificate now lives in src/lab/cert-node.ts (the live lab
// needs it outside the tests); kept here for the tests that import it.
export { selfSignedCert, type TestCert } from "../../src/lab/cert-node.ts";
