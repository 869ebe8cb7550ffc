/**
 * Golden files of generated specs: every mount, namespace, environment
 * variable, resource, argument and rlimit is pinned in
 * tests/unit/oci/golden/<case>.json. After an intended change, rewrite
 * them with `UPDATE_GOLDEN=1 deno test -A tests/unit/oci/spec_golden_test.ts`
 * and review the diff. The per-runtime template must render exactly the
 * same spec (with the shared rootfs as root.path).
 */

import assert from "node:assert/strict";
import { buildSpec } from "../../../src/oci/mod.ts";
import { SpecTemplate } from "../../../src/oci/spec_template.ts";
import { specCases } from "./_spec_cases.ts";

const GOLDEN = new URL("./golden/", import.meta.url);
const update = Deno.env.get("UPDATE_GOLDEN") === "1";

for (const { name, layout, input } of specCases()) {
  Deno.test(`buildSpec() matches golden/${name}.json`, async () => {
    const file = new URL(`${name}.json`, GOLDEN);
    const text = JSON.stringify(buildSpec(input, layout), null, 2) + "\n";
    if (update) await Deno.writeTextFile(file, text);
    assert.equal(text, await Deno.readTextFile(file));
  });

  Deno.test(`SpecTemplate renders golden/${name}.json`, async () => {
    const golden = JSON.parse(
      await Deno.readTextFile(new URL(`${name}.json`, GOLDEN)),
    );
    const template = new SpecTemplate(layout, input.runtimeHome, "/shared");
    const rendered = JSON.parse(template.render(input));
    assert.deepEqual(rendered, {
      ...golden,
      root: { ...golden.root, path: "/shared" },
    });
    // Rendering again (another task) gives the same text.
    assert.equal(template.render(input), template.render(input));
  });
}

Deno.test("SpecTemplate refuses what buildSpec refuses, and another runtime", () => {
  const [{ layout, input }] = specCases();
  const template = new SpecTemplate(layout, input.runtimeHome, "/shared");
  assert.throws(
    () => template.render({ ...input, env: { "A=B": "x" } }),
    TypeError,
  );
  assert.throws(
    () => template.render({ ...input, memoryLimitBytes: -1 }),
    RangeError,
  );
  assert.throws(
    () => template.render({ ...input, runtimeHome: "/opt/other" }),
    /not the template's/,
  );
});

Deno.test("SpecTemplate lists the rootfs mount points of its runtime", () => {
  const [merged, split] = specCases();
  const underUsr = new SpecTemplate(
    merged.layout,
    merged.input.runtimeHome,
    "/r",
  );
  assert.deepEqual(underUsr.mountPoints, [
    "/proc",
    "/dev",
    "/sys",
    "/tmp",
    "/usr",
    "/etc",
    "/local",
    "/secrets",
    "/alloc",
  ]);
  const opt = new SpecTemplate(split.layout, split.input.runtimeHome, "/r");
  assert.ok(opt.mountPoints.includes("/opt/jdk-21"));
  assert.ok(opt.mountPoints.includes("/lib64"));
});
