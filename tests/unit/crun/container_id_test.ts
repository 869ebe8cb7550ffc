import assert from "node:assert/strict";
import { checkContainerId, isValidContainerId } from "../../../src/crun/mod.ts";

Deno.test("isValidContainerId() accepts only crun's id characters", async (t) => {
  const rows: [string, boolean][] = [
    ["a1b2-web_0.1+x", true],
    ["alloc/task", false],
    ["with space", false],
    ["", false],
    [".", false],
    ["..", false],
    ["ü", false],
  ];
  for (const [id, valid] of rows) {
    await t.step(JSON.stringify(id), () => {
      assert.equal(isValidContainerId(id), valid);
    });
  }
});

Deno.test("checkContainerId() names the id it rejects", () => {
  assert.throws(
    () => checkContainerId("a/b"),
    { name: "TypeError", message: /^Cannot use container id "a\/b": / },
  );
});
