/**
 * Builds Milo as one executable, `build/milo`, with every module, the npm
 * packages and the generated protobuf code embedded (nothing is read from
 * disk at run time). Copy it into Nomad's plugin_dir.
 *
 * `deno compile` needs the `denort` runtime for the target. It downloads
 * it from Deno's servers unless DENORT_BIN names a local copy of the same
 * Deno version, which is how air-gapped machines build.
 *
 * ```sh
 * deno task compile                      # online
 * DENORT_BIN=/path/to/denort deno task compile   # offline
 * ```
 *
 * @module
 */

import { fileURLToPath } from "node:url";

const ROOT = fileURLToPath(new URL("..", import.meta.url));
const OUTPUT = `${ROOT}build/milo`;

/** Compiles main.ts to `output`; returns deno compile's exit status. */
export async function compile(output = OUTPUT): Promise<Deno.CommandStatus> {
  const denort = Deno.env.get("DENORT_BIN");
  if (denort) {
    const info = await Deno.stat(denort).catch(() => undefined);
    if (!info?.isFile) {
      throw new Error(
        `Cannot compile: DENORT_BIN="${denort}" is not a file; point it at ` +
          `the denort binary of Deno ${Deno.version.deno}`,
      );
    }
  }
  return await new Deno.Command(Deno.execPath(), {
    args: [
      "compile",
      "--allow-all",
      "--config",
      `${ROOT}deno.json`,
      "--output",
      output,
      `${ROOT}main.ts`,
    ],
    cwd: ROOT,
  }).spawn().status;
}

if (import.meta.main) {
  const status = await compile();
  if (!status.success) {
    console.error(
      "Cannot compile: deno compile failed (see above). Without network " +
        "access to Deno's download host, set DENORT_BIN to the denort " +
        `binary of Deno ${Deno.version.deno}.`,
    );
    Deno.exit(status.code || 1);
  }
  console.error(`compiled ${OUTPUT}`);
}
