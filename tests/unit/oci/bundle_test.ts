import assert from "node:assert/strict";
import { join } from "node:path";
import {
  buildSpec,
  type HostLayout,
  listMountPoints,
  removeBundle,
  writeBundle,
} from "../../../src/oci/mod.ts";

const LAYOUT: HostLayout = {
  boundDirs: ["/usr", "/etc"],
  symlinks: [
    { path: "/bin", target: "usr/bin" },
    { path: "/lib64", target: "usr/lib64" },
  ],
};

function spec(runtimeHome = "/opt/java/jdk 21") {
  return buildSpec({
    args: [`${runtimeHome}/bin/java`, "-version"],
    env: {},
    cwd: "/local",
    user: { uid: 0, gid: 0 },
    hostname: "t",
    runtimeHome,
    taskMounts: { localDir: "/l", secretsDir: "/s", allocDir: "/a" },
    cgroupsPath: "/milo/t",
  }, LAYOUT);
}

async function listTree(dir: string, prefix = ""): Promise<string[]> {
  const names: string[] = [];
  for await (const entry of Deno.readDir(join(dir, prefix))) {
    const path = join(prefix, entry.name);
    names.push(entry.isSymlink ? `${path} -> link` : path);
    if (entry.isDirectory) names.push(...await listTree(dir, path));
  }
  return names.sort();
}

Deno.test({
  name: "writeBundle() creates mount points, symlinks and config.json",
  permissions: { read: true, write: true },
  async fn() {
    const bundle = join(await Deno.makeTempDir(), "bundle with space");
    try {
      await writeBundle(bundle, spec(), LAYOUT);

      assert.equal((await Deno.stat(bundle)).mode! & 0o777, 0o700);
      assert.deepEqual(await listTree(join(bundle, "rootfs")), [
        "alloc",
        "bin -> link",
        "dev",
        "etc",
        "lib64 -> link",
        "local",
        "opt",
        "opt/java",
        "opt/java/jdk 21",
        "proc",
        "secrets",
        "sys",
        "tmp",
        "usr",
      ]);
      assert.equal(await Deno.readLink(join(bundle, "rootfs/bin")), "usr/bin");
      const written = JSON.parse(
        await Deno.readTextFile(join(bundle, "config.json")),
      );
      assert.deepEqual(written, spec());
      const top = [];
      for await (const entry of Deno.readDir(bundle)) top.push(entry.name);
      assert.deepEqual(top.sort(), ["config.json", "rootfs"]);
    } finally {
      await Deno.remove(join(bundle, ".."), { recursive: true });
    }
  },
});

Deno.test({
  name: "writeBundle() overwrites an existing bundle",
  permissions: { read: true, write: true },
  async fn() {
    const bundle = await Deno.makeTempDir();
    try {
      await writeBundle(bundle, spec(), LAYOUT);
      await writeBundle(bundle, spec("/usr/lib/jvm/jdk"), LAYOUT);

      const written = JSON.parse(
        await Deno.readTextFile(join(bundle, "config.json")),
      );
      assert.equal(written.process.args[0], "/usr/lib/jvm/jdk/bin/java");
    } finally {
      await Deno.remove(bundle, { recursive: true });
    }
  },
});

Deno.test({
  name: "removeBundle() leaves nothing and accepts a missing bundle",
  permissions: { read: true, write: true },
  async fn() {
    const parent = await Deno.makeTempDir();
    const bundle = join(parent, "b");
    try {
      await writeBundle(bundle, spec(), LAYOUT);

      await removeBundle(bundle);
      await removeBundle(bundle);

      assert.deepEqual(await listTree(parent), []);
    } finally {
      await Deno.remove(parent, { recursive: true });
    }
  },
});

Deno.test("listMountPoints() skips mounts nested in earlier mounts", () => {
  const points = listMountPoints(spec("/usr/lib/jvm/x"), LAYOUT);

  assert.deepEqual(points, [
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
});
