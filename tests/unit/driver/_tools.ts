/**
 * Stand-ins for crun and conmon: scripts that answer `--version`.
 *
 * @module
 */

/** Writes `dir/name` printing "name version V". */
export async function writeTool(dir: string, name: string, version: string) {
  const path = `${dir}/${name}`;
  await Deno.writeTextFile(
    `${path}.new`,
    `#!/bin/sh\necho "${name} version ${version}"\n`,
  );
  await Deno.chmod(`${path}.new`, 0o755);
  // Replaced as package managers do, so the binary's identity changes.
  await Deno.rename(`${path}.new`, path);
}

/** A temporary directory holding crun 1.8.1 and conmon 2.1.6. */
export async function toolDir(): Promise<string> {
  const dir = await Deno.makeTempDir({ prefix: "milo-tools-" });
  await writeTool(dir, "crun", "1.8.1");
  await writeTool(dir, "conmon", "2.1.6");
  return dir;
}
