import assert from "node:assert/strict";
import {
  compareJavaVersions,
  formatJavaVersion,
  parseJavaVersion,
} from "../../../src/java/java_version.ts";
import { containerAwareness } from "../../../src/java/container_awareness.ts";

const versions: [string, number[], number | undefined, string][] = [
  ["17.0.15+6-Debian-1deb12u1", [17, 0, 15, 0], 6, "17.0.15"],
  ["25.0.3+9-LTS", [25, 0, 3, 0], 9, "25.0.3"],
  ["1.8.0_392", [8, 0, 392, 0], undefined, "1.8.0_392"],
  ["1.8.0_392-b08", [8, 0, 392, 0], 8, "1.8.0_392"],
  ["11.0.16.1+1", [11, 0, 16, 1], 1, "11.0.16.1"],
  ["21", [21, 0, 0, 0], undefined, "21"],
  ["21-ea+3", [21, 0, 0, 0], 3, "21"],
  ["17.0.8", [17, 0, 8, 0], undefined, "17.0.8"],
];

Deno.test("parseJavaVersion() reads JEP 223 and legacy versions", async (t) => {
  for (const [text, parts, build, short] of versions) {
    await t.step(text, () => {
      const v = parseJavaVersion(text);
      assert.deepEqual([v.feature, v.interim, v.update, v.patch], parts);
      assert.equal(v.build, build);
      assert.equal(v.text, text);
      assert.equal(formatJavaVersion(v), short);
    });
  }
});

Deno.test("parseJavaVersion() rejects text that is no version", async (t) => {
  for (const text of ["", "abc", "0.1", "version 17"]) {
    await t.step(JSON.stringify(text), () => {
      assert.throws(() => parseJavaVersion(text), SyntaxError);
    });
  }
});

Deno.test("compareJavaVersions() orders by each component, build last", () => {
  const sorted = ["17.0.15+6", "1.8.0_392", "17.0.2+8", "17.0.15+7", "25"]
    .map(parseJavaVersion).sort(compareJavaVersions).map((v) => v.text);
  assert.deepEqual(sorted, [
    "1.8.0_392",
    "17.0.2+8",
    "17.0.15+6",
    "17.0.15+7",
    "25",
  ]);
});

Deno.test("containerAwareness() follows JDK-8230305 and backports", async (t) => {
  const table: [string, boolean, boolean][] = [
    ["1.8.0_181", false, false],
    ["1.8.0_191", true, false],
    ["1.8.0_372", true, true],
    ["9.0.4", false, false],
    ["10.0.2", true, false],
    ["11.0.15", true, false],
    ["11.0.16", true, true],
    ["14.0.2", true, false],
    ["15", true, true],
    ["17.0.15+6", true, true],
  ];
  for (const [text, v1, v2] of table) {
    await t.step(text, () => {
      assert.deepEqual(containerAwareness(parseJavaVersion(text)), { v1, v2 });
    });
  }
});
