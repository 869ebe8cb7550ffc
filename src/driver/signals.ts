/**
 * Signal names as Nomad users write them in `kill_signal` and
 * `nomad alloc signal` ("SIGTERM", "sigterm", "TERM").
 *
 * @module
 */

/** Linux signal names crun accepts, without their numbers. */
const LINUX_SIGNALS = new Set([
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
]);

/**
 * The canonical name ("SIGTERM") of a signal written in any case, with or
 * without the SIG prefix; undefined when Linux has no such signal.
 */
export function normalizeSignal(name: string): string | undefined {
  const upper = name.trim().toUpperCase();
  const full = upper.startsWith("SIG") ? upper : `SIG${upper}`;
  return LINUX_SIGNALS.has(full) ? full : undefined;
}
