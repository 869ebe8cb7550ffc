import assert from "node:assert/strict";
import { join } from "node:path";
import { probeHostLayout } from "../../../src/oci/mod.ts";

Deno.test({
  name: "probeHostLayout() binds real dirs, keeps symlinks, skips the absent",
  permissions: { read: true, write: true },
  async fn() {
    const root = await Deno.makeTempDir();
    try {
      for (const dir of ["usr/bin", "usr/lib", "etc", "lib64"]) {
        await Deno.mkdir(join(root, dir), { recursive: true });
      }
      await Deno.symlink("usr/bin", join(root, "bin"));
      await Deno.symlink("/usr/lib", join(root, "lib"));

      const layout = await probeHostLayout({ root });

      assert.deepEqual(layout, {
        boundDirs: ["/usr", "/etc", "/lib64"],
        symlinks: [
          { path: "/bin", target: "usr/bin" },
          { path: "/lib", target: "/usr/lib" },
        ],
      });
    } finally {
      await Deno.remove(root, { recursive: true });
    }
  },
});

Deno.test({
  name: "probeHostLayout() finds /usr and /etc on this host",
  permissions: { read: true },
  async fn() {
    const layout = await probeHostLayout();

    assert.ok(layout.boundDirs.includes("/usr"));
    assert.ok(layout.boundDirs.includes("/etc"));
  },
});
