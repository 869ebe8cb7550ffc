/**
 * The one place that starts a crun or conmon process and collects what it
 * says. Private to src/crun: use `ContainerRuntime`.
 *
 * @module
 */

/**
 * The whole environment of crun and conmon. conmon parses its options with
 * glib, which converts them from the locale's charset to UTF-8; under the
 * C locale a non-ASCII path fails ("option parsing failed: Invalid byte
 * sequence"). glib takes CHARSET as the charset, no locale needed.
 */
export const CHILD_ENV: Readonly<Record<string, string>> = Object.freeze({
  PATH: "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin",
  CHARSET: "UTF-8",
});

// Scripts run as `sh -c SCRIPT sh PARAMS... ARGV...`: values stay
// positional parameters, never part of the script text.
const UNMOUNT = 'umount "$1" || exit 125; shift; ';
/**
 * Keeps the process's stdout (a sync pipe) on fd 3 and sends stdout and
 * stderr to two files. Opening a FIFO blocks until its reader opens it.
 */
const REDIRECT = 'out=$1 err=$2; shift 2; exec "$@" 3>&1 >"$out" 2>"$err"';

/** Where a wrapped process's stdout and stderr go. */
export interface OutputFiles {
  stdoutPath: string;
  stderrPath: string;
}

/**
 * Wraps a command (conmon's) in `sh`, which keeps the sync pipe (the
 * wrapper's stdout) on fd 3 and sends stdout and stderr to the task's
 * files; paths are positional parameters, never part of the script text.
 */
export function redirectOutput(
  command: string[],
  output: OutputFiles,
): string[] {
  const { stdoutPath, stderrPath } = output;
  return ["/bin/sh", "-c", REDIRECT, "sh", stdoutPath, stderrPath, ...command];
}

/**
 * Wraps `argv` so it runs in a private mount namespace without
 * `mountPoint` (the hybrid host's cgroup2 hierarchy, which crun refuses).
 * The private propagation keeps the unmount from reaching the host. With
 * `output`, the same shell also redirects as {@linkcode REDIRECT} does, so
 * a redirected call costs one shell, not two.
 */
export function withMountRemoved(
  argv: string[],
  namespace: { unsharePath: string; mountPoint: string },
  output?: OutputFiles,
): string[] {
  const redirect = output ? [output.stdoutPath, output.stderrPath] : [];
  return [
    namespace.unsharePath,
    "--mount",
    "--propagation",
    "private",
    "/bin/sh",
    "-c",
    UNMOUNT + (output ? REDIRECT : 'exec "$@"'),
    "sh",
    namespace.mountPoint,
    ...redirect,
    ...argv,
  ];
}

/** Options of {@linkcode spawnAndCollect}. */
export interface SpawnOptions {
  /** The whole environment of the process; nothing is inherited. */
  env: Record<string, string>;
  /** Milliseconds before the process is killed and the call gives up. */
  timeoutMs: number;
  /**
   * Stop reading stdout after its first line. For conmon, whose sync pipe
   * is the wrapper's stdout and stays open for as long as conmon lives.
   */
  firstLineOnly?: boolean;
}

/** What a finished (or timed-out) process left behind. */
export interface SpawnResult {
  /** Exit code, or null when a signal ended the process. */
  code: number | null;
  /** Text on stdout (only the first line with `firstLineOnly`). */
  stdout: string;
  /** Text on stderr. */
  stderr: string;
  /** Whether the timeout killed the process or cut the reading short. */
  timedOut: boolean;
}

/**
 * Runs `argv` with stdin from /dev/null, in `/`, and collects stdout and
 * stderr. The process is always awaited, so no zombie is left.
 *
 * @throws {Deno.errors.NotFound} when `argv[0]` does not exist.
 */
export async function spawnAndCollect(
  argv: string[],
  options: SpawnOptions,
): Promise<SpawnResult> {
  const child = new Deno.Command(argv[0], {
    args: argv.slice(1),
    clearEnv: true,
    env: options.env,
    cwd: "/",
    stdin: "null",
    stdout: "piped",
    stderr: "piped",
  }).spawn();
  const stdout = child.stdout.getReader();
  const stderr = child.stderr.getReader();

  let timedOut = false;
  const timer = setTimeout(() => {
    timedOut = true;
    killQuietly(child);
    stdout.cancel().catch(() => {});
    stderr.cancel().catch(() => {});
  }, options.timeoutMs);

  try {
    const [status, out, err] = await Promise.all([
      child.status,
      readText(stdout, options.firstLineOnly ?? false),
      readText(stderr, false),
    ]);
    const code = status.signal === null ? status.code : null;
    return { code, stdout: out, stderr: err.trim(), timedOut };
  } finally {
    clearTimeout(timer);
  }
}

async function readText(
  reader: ReadableStreamDefaultReader<Uint8Array>,
  firstLineOnly: boolean,
): Promise<string> {
  const decoder = new TextDecoder();
  let text = "";

  try {
    while (!(firstLineOnly && text.includes("\n"))) {
      const { value, done } = await reader.read();
      if (done) break;
      text += decoder.decode(value, { stream: true });
    }
  } finally {
    // Closes our end of the pipe; a writer that lives on gets EPIPE.
    await reader.cancel().catch(() => {});
  }

  text += decoder.decode();
  return firstLineOnly ? text.split("\n")[0] : text;
}

function killQuietly(child: Deno.ChildProcess): void {
  try {
    child.kill("SIGKILL");
  } catch {
    // It has already exited; only the pipes were still open.
  }
}

/** Says why a spawned process failed: its stderr, or `fallback`. */
export function describeFailure(result: SpawnResult, fallback: string): string {
  if (result.timedOut) return "timed out";
  return result.stderr || `${fallback}, exit code ${result.code}`;
}
