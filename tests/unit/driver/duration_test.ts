import assert from "node:assert/strict";
import { parseDuration } from "../../../src/driver/duration.ts";

Deno.test("parseDuration() reads Go durations", async (t) => {
  const cases: [string, number][] = [
    ["5m", 300_000],
    ["30s", 30_000],
    ["1h30m", 5_400_000],
    ["250ms", 250],
    ["1.5s", 1500],
  ];
  for (const [text, ms] of cases) {
    await t.step(text, () => assert.equal(parseDuration(text), ms));
  }
});

Deno.test("parseDuration() names text it cannot read", () => {
  for (const text of ["", "5", "five minutes", "5 m", "-5m", "5d"]) {
    assert.throws(() => parseDuration(text), /Cannot parse duration/);
  }
});
