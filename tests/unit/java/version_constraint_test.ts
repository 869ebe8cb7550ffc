import assert from "node:assert/strict";
import { parseJavaVersion } from "../../../src/java/java_version.ts";
import {
  matchesConstraint,
  parseConstraint,
} from "../../../src/java/version_constraint.ts";

const table: [string, string, boolean][] = [
  ["17", "17.0.15+6-Debian-1deb12u1", true],
  ["17", "25.0.3+9-LTS", false],
  ["8", "1.8.0_392", true],
  ["1.8", "1.8.0_392", true],
  ["17+", "17.0.2", true],
  ["17+", "25.0.3+9-LTS", true],
  ["17+", "11.0.22", false],
  ["11-17", "11.0.22", true],
  ["11-17", "17.0.15", true],
  ["11-17", "21.0.2", false],
  [" 11 - 17 ", "15", true],
  ["21.0.2", "21.0.2+13", true],
  ["21.0.2", "21.0.2.1+1", true],
  ["21.0.2", "21.0.20+4", false],
  ["21.0", "21.0.7", true],
  ["21.0.2+13", "21.0.2+13-LTS", true],
  ["21.0.2+13", "21.0.2+14", false],
  ["1.8.0", "1.8.0_392", true],
];

Deno.test("matchesConstraint() follows each constraint form", async (t) => {
  for (const [constraint, version, expected] of table) {
    await t.step(`"${constraint}" against ${version}`, () => {
      const parsed = parseConstraint(constraint);
      assert.equal(parsed.text, constraint);
      assert.equal(
        matchesConstraint(parseJavaVersion(version), parsed),
        expected,
      );
    });
  }
});

Deno.test("parseConstraint() names the input and the accepted forms", async (t) => {
  for (const bad of ["", "abc", "17-11", "0", "+17", "17++", "1.17", "21.x"]) {
    await t.step(JSON.stringify(bad), () => {
      assert.throws(() => parseConstraint(bad), (error: Error) => {
        assert.ok(error instanceof TypeError);
        assert.match(error.message, /^Cannot parse java_version "/);
        assert.ok(error.message.includes(`"${bad}"`));
        assert.match(error.message, /"17\+", "11-17"/);
        return true;
      });
    });
  }
});
