import assert from "node:assert/strict";
import { join } from "node:path";
import {
  SharedRootfs,
  writeTaskBundle,
} from "../../../src/oci/shared_rootfs.ts";

const POINTS = ["/proc", "/dev", "/usr", "/local", "/opt/jdk-21"];
const LINKS = [{ path: "/bin", target: "usr/bin" }];

async function entries(dir: string): Promise<string[]> {
  const out: string[] = [];
  for await (const entry of Deno.readDir(dir)) out.push(entry.name);
  return out.sort();
}

Deno.test("SharedRootfs makes one rootfs per shape, once, even when asked at once", async () => {
  const dir = await Deno.makeTempDir();
  try {
    const rootfs = new SharedRootfs(join(dir, "rootfs"));
    const paths = await Promise.all(
      Array.from({ length: 20 }, () => rootfs.get(POINTS, LINKS)),
    );
    assert.equal(new Set(paths).size, 1);
    const [path] = paths;
    assert.deepEqual(await entries(join(dir, "rootfs")), [
      path.split("/").at(-1)!,
    ], "no building leftovers");
    assert.deepEqual(await entries(path), [
      "bin",
      "dev",
      "local",
      "opt",
      "proc",
      "usr",
    ]);
    assert.equal(await Deno.readLink(join(path, "bin")), "usr/bin");
    assert.ok((await Deno.stat(join(path, "opt/jdk-21"))).isDirectory);
    assert.equal((await Deno.stat(path)).mode! & 0o777, 0o755);

    const other = await rootfs.get(["/proc", "/usr"], LINKS);
    assert.notEqual(other, path, "another shape, another rootfs");

    // A new plugin process reuses what the last one made.
    const again = await new SharedRootfs(join(dir, "rootfs")).get(
      POINTS,
      LINKS,
    );
    assert.equal(again, path);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("SharedRootfs names the directory it cannot make, and tries again", async () => {
  const dir = await Deno.makeTempDir();
  try {
    await Deno.writeTextFile(join(dir, "file"), "");
    const rootfs = new SharedRootfs(join(dir, "file", "rootfs"));
    await assert.rejects(
      () => rootfs.get(POINTS, LINKS),
      /Cannot make the shared rootfs ".*\/file\/rootfs\/[0-9a-f]{16}"/,
    );
    await Deno.remove(join(dir, "file"));
    await Deno.mkdir(join(dir, "file"));
    assert.match(await rootfs.get(POINTS, LINKS), /[0-9a-f]{16}$/);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("writeTaskBundle() writes only config.json, replacing a stale bundle", async () => {
  const dir = await Deno.makeTempDir();
  try {
    const bundle = join(dir, "task");
    await Deno.mkdir(bundle);
    await Deno.writeTextFile(join(bundle, "conmon.pid"), "123");
    await writeTaskBundle(bundle, '{"ociVersion":"1.0.2"}');
    assert.deepEqual(await entries(bundle), ["config.json"]);
    assert.equal((await Deno.stat(bundle)).mode! & 0o777, 0o700);
    assert.equal(
      (await Deno.stat(join(bundle, "config.json"))).mode! & 0o777,
      0o600,
    );
    assert.throws(
      () => writeTaskBundle(join(dir, "missing", "task"), "{}"),
      /Cannot write bundle ".*missing\/task"/,
    );
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});
