import assert from "node:assert/strict";
import { encode } from "@msgpack/msgpack";
import {
  CtyDecodeError,
  decodeCtyObject,
} from "../../../src/plugin/cty_msgpack.ts";

Deno.test("decodeCtyObject() reads cty's all-keys map with nils", () => {
  const bytes = encode({
    args: ["über", "日本語"],
    class: null,
    jar_path: "local/app.jar",
    jvm_options: [],
  });
  assert.deepEqual(decodeCtyObject(bytes, "config"), {
    args: ["über", "日本語"],
    class: null,
    jar_path: "local/app.jar",
    jvm_options: [],
  });
});

Deno.test("decodeCtyObject() keeps numbers sent as decimal strings", () => {
  const bytes = encode({ ratio: "0.8", count: 3, big: 2n ** 60n }, {
    useBigInt64: true,
  });
  const value = decodeCtyObject(bytes, "config");
  assert.equal(value.ratio, "0.8");
  assert.equal(value.count, 3);
  assert.equal(value.big, 2 ** 60);
});

Deno.test("decodeCtyObject() reads empty bytes as an empty object", () => {
  assert.deepEqual(decodeCtyObject(new Uint8Array(), "config"), {});
});

Deno.test("decodeCtyObject() names the input when the bytes are wrong", async (t) => {
  const cases: [string, Uint8Array, RegExp][] = [
    ["garbage", new Uint8Array([0xc1, 0xff, 0x00]), /not valid msgpack/],
    ["an array at the top", encode([1, 2]), /expected a msgpack map/],
    ["a string at the top", encode("x"), /expected a msgpack map/],
    ["cty's unknown value", new Uint8Array([0xd4, 0x00, 0x00]), /extension/],
    [
      "binary data inside",
      encode({ a: new Uint8Array([1]) }),
      /key "a": unexpected binary data/,
    ],
  ];
  for (const [name, bytes, message] of cases) {
    await t.step(name, () => {
      assert.throws(
        () => decodeCtyObject(bytes, "the task config"),
        (error: Error) =>
          error instanceof CtyDecodeError &&
          error.message.startsWith("Cannot decode the task config") &&
          message.test(error.message),
      );
    });
  }
});

Deno.test("decodeCtyObject() refuses values nested too deeply", () => {
  // { args: [[[...["x"]...]]] }, 100 000 deep, written by hand because
  // encoders refuse such depth.
  const depth = 100_000;
  const bytes = new Uint8Array([
    0x81,
    0xa4,
    ...new TextEncoder().encode("args"),
    ...new Array(depth).fill(0x91),
    0xa1,
    0x78,
  ]);
  assert.throws(
    () => decodeCtyObject(bytes, "the task config"),
    (error: Error) => error instanceof CtyDecodeError,
  );
});
