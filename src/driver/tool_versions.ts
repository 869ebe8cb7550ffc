/**
 * Versions of the external tools Milo runs (crun, conmon), asked once per
 * binary: the answer is cached by the binary's identity (path, inode,
 * mtime, size), so a fingerprint costs no process when nothing changed.
 * Failures are not cached.
 *
 * @module
 */

/** What `<tool> --version` said, or why it could not be asked. */
export type ToolVersion = { version: string } | { error: string };

/** Caches `<tool> --version` answers by binary identity. */
export class ToolVersions {
  readonly #cache = new Map<string, Promise<ToolVersion>>();
  #spawns = 0;

  /** How many times a tool was actually run (for tests and benches). */
  get spawns(): number {
    return this.#spawns;
  }

  /** The version of the executable at `path`. */
  async versionOf(path: string): Promise<ToolVersion> {
    let key: string;
    try {
      const info = Deno.statSync(path);
      key = `${path}\0${info.ino}\0${info.mtime?.getTime()}\0${info.size}`;
    } catch (error) {
      return { error: `cannot stat "${path}": ${(error as Error).message}` };
    }
    let answer = this.#cache.get(key);
    if (!answer) {
      this.#spawns++;
      answer = ask(path);
      this.#cache.set(key, answer);
      // A failure may be passing (a timeout, a missing library): ask again.
      void answer.then((a) => {
        if ("error" in a) this.#cache.delete(key);
      });
    }
    return await answer;
  }
}

/** Parses "crun version 1.8.1" or "conmon version 2.1.6" style output. */
export function parseToolVersion(output: string): string | undefined {
  return /version:?\s+v?(\d+(?:\.\d+){1,3})/i.exec(output)?.[1];
}

/** True when dotted `version` is at least `minimum`. */
export function versionAtLeast(version: string, minimum: string): boolean {
  const a = version.split(".").map(Number);
  const b = minimum.split(".").map(Number);
  for (let i = 0; i < Math.max(a.length, b.length); i++) {
    const diff = (a[i] ?? 0) - (b[i] ?? 0);
    if (diff !== 0) return diff > 0;
  }
  return true;
}

async function ask(path: string): Promise<ToolVersion> {
  try {
    const output = await new Deno.Command(path, {
      args: ["--version"],
      stdin: "null",
      stdout: "piped",
      stderr: "piped",
      signal: AbortSignal.timeout(5000),
    }).output();
    const text = new TextDecoder().decode(output.stdout) +
      new TextDecoder().decode(output.stderr);
    const version = parseToolVersion(text);
    if (output.success && version) return { version };
    return {
      error: `"${path} --version" ${
        output.success ? "printed no version" : `exited ${output.code}`
      }: ${text.trim().split("\n")[0] ?? ""}`,
    };
  } catch (error) {
    return { error: `cannot run "${path}": ${(error as Error).message}` };
  }
}
