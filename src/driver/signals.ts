/**
 * Signal names as Nomad users write them in `kill_signal` and
 * `nomad alloc signal` ("SIGTERM", "sigterm", "TERM").
 *
 * @module
 */

/** Linux's signals in number order: SIGHUP is 1, SIGSYS is 31 (x86-64, arm64). */
const LINUX_SIGNALS: readonly string[] = [
  "SIGHUP",
  "SIGINT",
  "SIGQUIT",
  "SIGILL",
  "SIGTRAP",
  "SIGABRT",
  "SIGBUS",
  "SIGFPE",
  "SIGKILL",
  "SIGUSR1",
  "SIGSEGV",
  "SIGUSR2",
  "SIGPIPE",
  "SIGALRM",
  "SIGTERM",
  "SIGSTKFLT",
  "SIGCHLD",
  "SIGCONT",
  "SIGSTOP",
  "SIGTSTP",
  "SIGTTIN",
  "SIGTTOU",
  "SIGURG",
  "SIGXCPU",
  "SIGXFSZ",
  "SIGVTALRM",
  "SIGPROF",
  "SIGWINCH",
  "SIGIO",
  "SIGPWR",
  "SIGSYS",
];

const NUMBERS = new Map(LINUX_SIGNALS.map((name, i) => [name, i + 1]));

/**
 * The canonical name ("SIGTERM") of a signal written in any case, with or
 * without the SIG prefix; undefined when Linux has no such signal.
 */
export function normalizeSignal(name: string): string | undefined {
  const upper = name.trim().toUpperCase();
  const full = upper.startsWith("SIG") ? upper : `SIG${upper}`;
  return NUMBERS.has(full) ? full : undefined;
}

/** The number of a canonical signal name ("SIGINT" is 2), or undefined. */
export function signalNumber(name: string): number | undefined {
  return NUMBERS.get(name);
}

/**
 * Whether process `pid` has a handler for signal `number`, from the
 * SigCgt mask of `/proc/<pid>/status`; null when the process is gone.
 */
export function catchesSignal(
  pid: number,
  number: number,
  procRoot = "/proc",
): boolean | null {
  let status: string;
  try {
    // Synchronous: procfs answers from memory.
    status = Deno.readTextFileSync(`${procRoot}/${pid}/status`);
  } catch {
    return null;
  }
  const mask = /^SigCgt:\s*([0-9a-fA-F]+)$/m.exec(status)?.[1];
  if (mask === undefined) return null;
  return ((BigInt(`0x${mask}`) >> BigInt(number - 1)) & 1n) === 1n;
}

/**
 * Resolves once `pid` catches signal `number` (true), or when it is gone
 * or `timeoutMs` has passed (false), checking every `intervalMs`.
 *
 * A container's init is pid 1 of its namespace, and the kernel drops a
 * signal sent to it that it has no handler for (SIGKILL aside). A JVM
 * installs its SIGINT and SIGTERM handlers some 50 ms after it starts, so
 * a stop signal sent earlier would be lost and the task killed at the
 * end of its kill_timeout instead of shutting down.
 */
export async function untilSignalCaught(
  pid: number,
  number: number,
  timeoutMs: number,
  options: {
    intervalMs?: number;
    procRoot?: string;
    /** Gives up (false) as soon as this says no, e.g. the task exited. */
    keepWaiting?: () => boolean;
  } = {},
): Promise<boolean> {
  const { intervalMs = 10, procRoot = "/proc", keepWaiting } = options;
  const deadline = performance.now() + timeoutMs;
  while (true) {
    const caught = catchesSignal(pid, number, procRoot);
    if (caught !== false) return caught === true;
    if (performance.now() >= deadline || keepWaiting?.() === false) {
      return false;
    }
    await new Promise((resolve) => setTimeout(resolve, intervalMs));
  }
}
