/**
 * What procfs says about one process: resident memory, open descriptors,
 * CPU time. For the load bench, which watches the plugin from outside.
 *
 * @module
 */

/** Clock ticks per second of /proc/<pid>/stat (sysconf(_SC_CLK_TCK)). */
const CLOCK_TICKS = 100;

/** One reading of a process. */
export interface ProcSample {
  /** Resident set size, MiB (VmRSS). */
  rssMiB: number;
  /** Peak resident set size so far, MiB (VmHWM). */
  peakRssMiB: number;
  /** Open file descriptors. */
  fds: number;
  /** User plus system CPU time so far, ms (10 ms resolution). */
  cpuMs: number;
}

/**
 * Reads `pid`'s memory, descriptors and CPU time.
 *
 * @throws {Deno.errors.NotFound} when the process is gone.
 */
export async function sampleProcess(pid: number): Promise<ProcSample> {
  const status = await Deno.readTextFile(`/proc/${pid}/status`);
  const kib = (field: string) =>
    Number(new RegExp(`^${field}:\\s+(\\d+) kB`, "m").exec(status)?.[1] ?? 0);
  return {
    rssMiB: kib("VmRSS") / 1024,
    peakRssMiB: kib("VmHWM") / 1024,
    fds: await countFds(pid),
    cpuMs: await cpuMs(pid),
  };
}

/** The open descriptors of `pid`, by what they point at. */
export async function describeFds(pid: number): Promise<string[]> {
  const targets: string[] = [];
  for await (const entry of Deno.readDir(`/proc/${pid}/fd`)) {
    const target = await Deno.readLink(`/proc/${pid}/fd/${entry.name}`)
      .catch(() => "(closed meanwhile)");
    targets.push(`${entry.name} -> ${target}`);
  }
  return targets.sort((a, b) => Number.parseInt(a) - Number.parseInt(b));
}

async function countFds(pid: number): Promise<number> {
  let count = 0;
  for await (const _ of Deno.readDir(`/proc/${pid}/fd`)) count++;
  return count;
}

async function cpuMs(pid: number): Promise<number> {
  const stat = await Deno.readTextFile(`/proc/${pid}/stat`);
  // Fields after "(comm)": state is field 3, utime 14, stime 15.
  const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
  const ticks = Number(fields[11]) + Number(fields[12]);
  return ticks * 1000 / CLOCK_TICKS;
}
