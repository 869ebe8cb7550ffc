import assert from "node:assert/strict";
import {
  ConfigValueError,
  readBool,
  readNumber,
  readString,
  readStringList,
  unknownKeys,
} from "../../../src/driver/config_values.ts";

Deno.test('readString() reads strings and treats null, absent and "" as unset', async (t) => {
  const rows: [string, unknown, string | undefined][] = [
    ["a string", "local/app.jar", "local/app.jar"],
    ["UTF-8 and spaces", "my app/über.jar", "my app/über.jar"],
    ["cty's nil", null, undefined],
    ["an empty string", "", undefined],
    ["an absent key", undefined, undefined],
  ];
  for (const [label, value, expected] of rows) {
    await t.step(label, () => {
      assert.equal(readString({ key: value }, "key"), expected);
    });
  }
});

Deno.test("readString() names the key and the value it refuses", () => {
  assert.throws(() => readString({ jar_path: 3 }, "jar_path"), {
    name: "ConfigValueError",
    key: "jar_path",
    message: '"jar_path" must be a string, got number 3',
  });
  assert.throws(
    () => readString({ jar_path: ["a.jar"] }, "jar_path"),
    ConfigValueError,
  );
});

Deno.test("readStringList() reads lists of strings; unset is empty", async (t) => {
  const rows: [string, unknown, string[]][] = [
    ["a list", ["-Xmx64m", "-Da=b c"], ["-Xmx64m", "-Da=b c"]],
    ["an empty list", [], []],
    ["cty's nil", null, []],
    ["an absent key", undefined, []],
  ];
  for (const [label, value, expected] of rows) {
    await t.step(label, () => {
      assert.deepEqual(readStringList({ args: value }, "args"), expected);
    });
  }
});

Deno.test("readStringList() refuses a string and a list with a non-string", async (t) => {
  const rows: [string, unknown, string][] = [
    [
      "a string",
      "a b",
      '"args" must be a list of strings, got the string "a b"',
    ],
    [
      "a number in the list",
      ["a", 1],
      '"args" must be a list of strings, got a list (["a",1])',
    ],
  ];
  for (const [label, value, message] of rows) {
    await t.step(label, () => {
      assert.throws(() => readStringList({ args: value }, "args"), {
        name: "ConfigValueError",
        key: "args",
        message,
      });
    });
  }
});

Deno.test("readBool() reads bools and their strings; unset gives the fallback", async (t) => {
  const rows: [string, unknown, boolean, boolean][] = [
    ["true", true, false, true],
    ["false", false, true, false],
    ['"true"', "true", false, true],
    ['"false"', "false", true, false],
    ["nil with fallback true", null, true, true],
    ["absent with fallback false", undefined, false, false],
  ];
  for (const [label, value, fallback, expected] of rows) {
    await t.step(label, () => {
      assert.equal(readBool({ flag: value }, "flag", fallback), expected);
    });
  }
  assert.throws(() => readBool({ flag: "yes" }, "flag", false), {
    key: "flag",
    message: '"flag" must be true or false, got the string "yes"',
  });
  assert.throws(() => readBool({ flag: 1 }, "flag", false), ConfigValueError);
});

Deno.test("readNumber() reads numbers, cty's decimal strings and bigints", async (t) => {
  const rows: [string, unknown, number | undefined][] = [
    ["an integer", 300, 300],
    ["a float", 0.5, 0.5],
    ["a decimal string", "12345678901234567890", 12345678901234567890],
    ["a bigint", 2n ** 40n, 2 ** 40],
    ["cty's nil", null, undefined],
    ["an absent key", undefined, undefined],
  ];
  for (const [label, value, expected] of rows) {
    await t.step(label, () => {
      assert.equal(readNumber({ n: value }, "n"), expected);
    });
  }
  assert.throws(() => readNumber({ n: "many" }, "n"), {
    key: "n",
    message: '"n" must be a number, got the string "many"',
  });
  assert.throws(() => readNumber({ n: true }, "n"), ConfigValueError);
});

Deno.test("unknownKeys() lists the keys outside the schema, in order", () => {
  assert.deepEqual(
    unknownKeys({ jar_path: null, jar: "x", args: [], clas: "y" }, [
      "jar_path",
      "args",
    ]),
    ["jar", "clas"],
  );
  assert.deepEqual(unknownKeys({}, ["jar_path"]), []);
});
