/**
 * Liveness of a conmon process from /proc. Private to src/crun.
 *
 * @module
 */

/**
 * Tells whether `pid` is a live conmon. A pid may be reused after conmon
 * exits, so the command name must match too, and a zombie counts as dead
 * (conmon is reparented to init and may wait there to be reaped).
 */
export function isMonitorAlive(pid: number, procRoot = "/proc"): boolean {
  let stat: string;
  try {
    // Synchronous: procfs answers from memory, in microseconds.
    stat = Deno.readTextFileSync(`${procRoot}/${pid}/stat`);
  } catch {
    return false;
  }

  // "<pid> (<comm>) <state> ...": comm may itself hold ")" or spaces.
  const open = stat.indexOf("(");
  const close = stat.lastIndexOf(")");
  if (open < 0 || close < open) return false;
  const comm = stat.slice(open + 1, close);
  const state = stat.slice(close + 2, close + 3);
  return comm === "conmon" && state !== "Z" && state !== "X";
}
