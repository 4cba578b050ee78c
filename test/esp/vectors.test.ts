// Published test vectors for the WASM crypto: FIPS 180 (SHA-1, SHA-256), RFC 2202, RFC 4231,
// NIST SP 800-38A F.2 (CBC), RFC 3602 §4 and the GCM spec (McGrew & Viega) test cases.
import assert from "node:assert/strict";
import { test } from "node:test";
import { WasmCrypto } from "../../src/esp/crypto.ts";
import "../../src/wasm/node-features.ts"; // relaxed SIMD on Node 20 (the Node entry points do the same)
import { loadWasmSync, wasmBytes } from "../../src/wasm/loader.ts";
import { WASM_VARIANTS } from "./helpers.ts";

// Both builds of the module (src/wasm/embedded.ts): the relaxed-SIMD one must compute the same bytes.
for (const variant of WASM_VARIANTS) {
  const c = new WasmCrypto(loadWasmSync(wasmBytes(variant)));
  const hex = (s: string): Uint8Array => Uint8Array.from(Buffer.from(s.replace(/\s+/g, ""), "hex"));
  const toHex = (u: Uint8Array): string => Buffer.from(u).toString("hex");
  const ascii = (s: string): Uint8Array => new TextEncoder().encode(s);
  const fill = (n: number, b: number): Uint8Array => new Uint8Array(n).fill(b);

  test(`${variant}: FIPS 180 SHA-1 and SHA-256 examples`, () => {
    const m448 = ascii("abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq");
    const million = fill(1_000_000, 0x61);
    assert.equal(toHex(c.sha1(ascii("abc"))), "a9993e364706816aba3e25717850c26c9cd0d89d");
    assert.equal(toHex(c.sha1(m448)), "84983e441c3bd26ebaae4aa1f95129e5e54670f1");
    assert.equal(toHex(c.sha1(million)), "34aa973cd4c4daa4f61eeb2bdbad27316534016f");
    assert.equal(toHex(c.sha256(ascii("abc"))), "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
    assert.equal(toHex(c.sha256(m448)), "248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1");
    assert.equal(toHex(c.sha256(million)), "cdc76e5c9914fb9281a1c7e284d73e67f1809a48a497200e046d39ccc7112cd0");
    assert.equal(toHex(c.sha256(new Uint8Array(0))), "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
  });

  const key25 = hex("0102030405060708090a0b0c0d0e0f10111213141516171819");

  test(`${variant}: RFC 2202 HMAC-SHA1 test cases 1-7`, () => {
    const cases: [Uint8Array, Uint8Array, string][] = [
      [fill(20, 0x0b), ascii("Hi There"), "b617318655057264e28bc0b6fb378c8ef146be00"],
      [ascii("Jefe"), ascii("what do ya want for nothing?"), "effcdf6ae5eb2fa2d27416d5f184df9c259a7c79"],
      [fill(20, 0xaa), fill(50, 0xdd), "125d7342b9ac11cd91a39af48aa17b4f63f175d3"],
      [key25, fill(50, 0xcd), "4c9007f4026250c6bc8414f9bf50c86c2d7235da"],
      [fill(20, 0x0c), ascii("Test With Truncation"), "4c1a03424b55e07fe7f27be1d58bb9324a9a5a04"],
      [fill(80, 0xaa), ascii("Test Using Larger Than Block-Size Key - Hash Key First"), "aa4ae5e15272d00e95705637ce8a3b55ed402112"],
      [
        fill(80, 0xaa),
        ascii("Test Using Larger Than Block-Size Key and Larger Than One Block-Size Data"),
        "e8e99d0f45237d786d6bbaa7965c7808bbff1a91",
      ],
    ];
    for (const [k, d, mac] of cases) assert.equal(toHex(c.hmacSha1(k, d)), mac);
  });

  test(`${variant}: RFC 4231 HMAC-SHA-256 test cases 1-7`, () => {
    const cases: [Uint8Array, Uint8Array, string][] = [
      [fill(20, 0x0b), ascii("Hi There"), "b0344c61d8db38535ca8afceaf0bf12b881dc200c9833da726e9376c2e32cff7"],
      [ascii("Jefe"), ascii("what do ya want for nothing?"), "5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843"],
      [fill(20, 0xaa), fill(50, 0xdd), "773ea91e36800e46854db8ebd09181a72959098b3ef8c122d9635514ced565fe"],
      [key25, fill(50, 0xcd), "82558a389a443c0ea4cc819899f2083a85f0faa3e578f8077a2e3ff46729665b"],
      [fill(20, 0x0c), ascii("Test With Truncation"), "a3b6167473100ee06e0c796c2955552b"],
      [fill(131, 0xaa), ascii("Test Using Larger Than Block-Size Key - Hash Key First"), "60e431591ee0b67f0d8a26aacbf5b77f8e0bc6213728c5140546040f0ee37f54"],
      [
        fill(131, 0xaa),
        ascii(
          "This is a test using a larger than block-size key and a larger than block-size data. The key needs to be hashed before being used by the HMAC algorithm.",
        ),
        "9b09ffa71b942fcb27635fbcd5b0e944bfdc63644f0713938a7f51535c3a35e2",
      ],
    ];
    // Case 5 is specified truncated to 128 bits (RFC 4231 §4.6), as ESP's HMAC-SHA-256-128 is.
    for (const [k, d, mac] of cases) assert.equal(toHex(c.hmacSha256(k, d)).slice(0, mac.length), mac);
  });

  const SP_PT = hex(`6bc1bee22e409f96e93d7e117393172a ae2d8a571e03ac9c9eb76fac45af8e51
    30c81c46a35ce411e5fbc1191a0a52ef f69f2445df4f9b17ad2b417be66c3710`);
  const SP_IV = hex("000102030405060708090a0b0c0d0e0f");

  test(`${variant}: NIST SP 800-38A F.2 CBC-AES128 and CBC-AES256, both directions`, () => {
    const cases: [string, string][] = [
      [
        "2b7e151628aed2a6abf7158809cf4f3c",
        "7649abac8119b246cee98e9b12e9197d 5086cb9b507219ee95db113a917678b2 73bed6b8e3c1743b7116e69e22229516 3ff1caa1681fac09120eca307586e1a7",
      ],
      [
        "603deb1015ca71be2b73aef0857d77811f352c073b6108d72d9810a30914dff4",
        "f58c4c04d6e5f1ba779eabfb5f7bfbd6 9cfc4e967edb808d679f777bc6702c7d 39f23369a9d9bacfa530e26304231461 b2eb05e2c39be9fcda6c19078c6a9d1b",
      ],
    ];
    for (const [k, ct] of cases) {
      assert.equal(toHex(c.aesCbcEncrypt(hex(k), SP_IV, SP_PT)), toHex(hex(ct)));
      assert.equal(toHex(c.aesCbcDecrypt(hex(k), SP_IV, hex(ct))), toHex(SP_PT));
    }
  });

  test(`${variant}: RFC 3602 §4 AES-CBC cases 1-3`, () => {
    const cases: [string, string, Uint8Array, string][] = [
      ["06a9214036b8a15b512e03d534120006", "3dafba429d9eb430b422da802c9fac41", ascii("Single block msg"), "e353779c1079aeb82708942dbe77181a"],
      [
        "c286696d887c9aa0611bbb3e2025a45a", "562e17996d093d28ddb3ba695a2e6f58", new Uint8Array(32).map((_, i) => i),
        "d296cd94c2cccf8a3a863028b5e1dc0a7586602d253cfff91b8266bea6d61ab1",
      ],
      [
        "6c3ea0477630ce21a2ce334aa746c2cd", "c782dc4c098c66cbd9cd27d825682c81", ascii("This is a 48-byte message (exactly 3 AES blocks)"),
        "d0a02b3836451753d493665d33f0e8862dea54cdb293abc7506939276772f8d5021c19216bad525c8579695d83ba2684",
      ],
    ];
    for (const [k, iv, pt, ct] of cases) {
      assert.equal(toHex(c.aesCbcEncrypt(hex(k), hex(iv), pt)), ct);
      assert.equal(toHex(c.aesCbcDecrypt(hex(k), hex(iv), hex(ct))), toHex(pt));
    }
  });

  const GCM_K = "feffe9928665731c6d6a8f9467308308";
  const GCM_IV = hex("cafebabefacedbaddecaf888");
  const GCM_P = hex(`d9313225f88406e5a55909c5aff5269a86a7a9531534f7da2e4c303d8a318a72
    1c3c0c95956809532fcf0e2449a6b525b16aedf5aa0de657ba637b391aafd255`);
  const GCM_A = hex("feedfacedeadbeeffeedfacedeadbeefabaddad2");

  test(`${variant}: GCM spec test cases 1-4 (AES-128) and 13-16 (AES-256)`, () => {
    const z12 = new Uint8Array(12);
    const none = new Uint8Array(0);
    const cases: [string, Uint8Array, Uint8Array, Uint8Array, string][] = [
      ["00".repeat(16), z12, none, none, "58e2fccefa7e3061367f1d57a4e7455a"],
      ["00".repeat(16), z12, new Uint8Array(16), none, "0388dace60b6a392f328c2b971b2fe78ab6e47d42cec13bdf53a67b21257bddf"],
      [
        GCM_K, GCM_IV, GCM_P, none,
        "42831ec2217774244b7221b784d0d49ce3aa212f2c02a4e035c17e2329aca12e21d514b25466931c7d8f6a5aac84aa051ba30b396a0aac973d58e091473f5985" +
          "4d5c2af327cd64a62cf35abd2ba6fab4",
      ],
      [
        GCM_K, GCM_IV, GCM_P.subarray(0, 60), GCM_A,
        "42831ec2217774244b7221b784d0d49ce3aa212f2c02a4e035c17e2329aca12e21d514b25466931c7d8f6a5aac84aa051ba30b396a0aac973d58e091" +
          "5bc94fbc3221a5db94fae95ae7121a47",
      ],
      ["00".repeat(32), z12, none, none, "530f8afbc74536b9a963b4f1c4cb738b"],
      ["00".repeat(32), z12, new Uint8Array(16), none, "cea7403d4d606b6e074ec5d3baf39d18d0d1c8a799996bf0265b98b5d48ab919"],
      [
        GCM_K + GCM_K, GCM_IV, GCM_P, none,
        "522dc1f099567d07f47f37a32a84427d643a8cdcbfe5c0c97598a2bd2555d1aa8cb08e48590dbb3da7b08b1056828838c5f61e6393ba7a0abcc9f662898015ad" +
          "b094dac5d93471bdec1a502270e3cc6c",
      ],
      [
        GCM_K + GCM_K, GCM_IV, GCM_P.subarray(0, 60), GCM_A,
        "522dc1f099567d07f47f37a32a84427d643a8cdcbfe5c0c97598a2bd2555d1aa8cb08e48590dbb3da7b08b1056828838c5f61e6393ba7a0abcc9f662" +
          "76fc6ece0f4e1768cddf8853bb2d551b",
      ],
    ];
    for (const [k, iv, p, a, out] of cases) {
      const sealed = c.aesGcmSeal(hex(k), iv, a, p);
      assert.equal(toHex(sealed), out);
      assert.equal(toHex(c.aesGcmOpen(hex(k), iv, a, sealed)!), toHex(p));
      const bad = sealed.slice();
      bad[bad.length - 1] ^= 1;
      assert.equal(c.aesGcmOpen(hex(k), iv, a, bad), null);
    }
  });
}

test("the default module is the relaxed-SIMD build on this Node (src/wasm/node-features.ts), HIPMM_WASM=simd keeps the SIMD one", async () => {
  const { wasmVariant, relaxedSimdSupported } = await import("../../src/wasm/loader.ts");
  assert.ok(relaxedSimdSupported());
  assert.equal(wasmVariant(), process.env.HIPMM_WASM === "simd" ? "simd" : "relaxed-simd");
  // The two builds differ (relaxed_swizzle: 0xfd 0x100) and both validate here.
  const { wasmBytes } = await import("../../src/wasm/loader.ts");
  assert.notDeepEqual(wasmBytes("simd"), wasmBytes("relaxed-simd"));
  for (const v of WASM_VARIANTS) assert.ok(WebAssembly.validate(wasmBytes(v) as Uint8Array<ArrayBuffer>), v);
});
