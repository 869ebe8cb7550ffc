import assert from "node:assert/strict";
import {
  type CgroupLayout,
  detectCgroupLayout,
} from "../../../src/crun/mod.ts";

import {
  HYBRID_VM,
  NO_CGROUPS,
  PURE_V1,
  PURE_V2,
  SYSTEMD_HYBRID,
} from "./_mount_tables.ts";

Deno.test("detectCgroupLayout() reads the project VM as hybrid that crun refuses", () => {
  const layout = detectCgroupLayout(HYBRID_VM, "hugetlb\n");

  assert.deepEqual(
    layout,
    {
      mode: "hybrid",
      cgroup2Mount: "/sys/fs/cgroup/unified",
      v1Controllers: [
        "cpu",
        "cpuacct",
        "cpuset",
        "memory",
        "devices",
        "freezer",
        "blkio",
        "pids",
      ],
      cgroup2HasControllers: true,
      unmountForCrun: "/sys/fs/cgroup/unified",
    } satisfies CgroupLayout,
  );
});

Deno.test("detectCgroupLayout() unmounts a hybrid cgroup2 whose controllers are unknown", () => {
  const layout = detectCgroupLayout(HYBRID_VM);

  assert.equal(layout.cgroup2HasControllers, null);
  assert.equal(layout.unmountForCrun, "/sys/fs/cgroup/unified");
});

Deno.test("detectCgroupLayout() accepts a hybrid cgroup2 without controllers", () => {
  const layout = detectCgroupLayout(SYSTEMD_HYBRID, "");

  assert.equal(layout.mode, "hybrid");
  assert.equal(layout.cgroup2HasControllers, false);
  assert.equal(layout.unmountForCrun, null);
});

Deno.test("detectCgroupLayout() reads a pure cgroup v2 host", () => {
  const layout = detectCgroupLayout(PURE_V2);

  assert.deepEqual(
    layout,
    {
      mode: "v2",
      cgroup2Mount: "/sys/fs/cgroup",
      v1Controllers: [],
      cgroup2HasControllers: null,
      unmountForCrun: null,
    } satisfies CgroupLayout,
  );
});

Deno.test("detectCgroupLayout() reads a pure cgroup v1 host", () => {
  const layout = detectCgroupLayout(PURE_V1);

  assert.equal(layout.mode, "v1");
  assert.equal(layout.cgroup2Mount, null);
  assert.deepEqual(layout.v1Controllers, ["cpu", "cpuacct", "memory"]);
  assert.equal(layout.unmountForCrun, null);
});

Deno.test("detectCgroupLayout() reports a host without cgroups as none", () => {
  const layout = detectCgroupLayout(NO_CGROUPS);

  assert.equal(layout.mode, "none");
  assert.equal(layout.unmountForCrun, null);
});

Deno.test("detectCgroupLayout() decodes escaped mount points", () => {
  const text = "1 0 0:1 / /sys/fs/cgroup\\040x rw - cgroup2 cgroup2 rw\n";

  assert.equal(detectCgroupLayout(text).cgroup2Mount, "/sys/fs/cgroup x");
});

Deno.test("detectCgroupLayout() rejects a line without separator", () => {
  assert.throws(
    () => detectCgroupLayout("1 0 0:1 / / rw\n"),
    SyntaxError,
  );
});
