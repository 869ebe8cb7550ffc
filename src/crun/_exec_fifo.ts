/**
 * Starting a created container without running `crun start`. Private to
 * src/crun.
 *
 * Facts from containers/crun (src/libcrun/status.c and container.c, alike
 * in 1.8.1 and 1.29): `crun create` makes the FIFO
 * `<root>/<id>/exec.fifo`, and the container's init holds it open for
 * reading and blocks until one byte arrives, then execs the process.
 * `crun start` reads the state, opens the FIFO for writing, unlinks it and
 * writes one byte; after that, crun reports the container as running
 * (a created container is one whose FIFO still exists). The rest of
 * `crun start` applies only to specs with poststart hooks or a
 * NOTIFY_SOCKET, neither of which Milo uses.
 *
 * `crun start` costs a process of ~8 ms here (plus the hybrid-cgroup
 * wrapper); this costs three syscalls. They are synchronous on purpose:
 * with O_NONBLOCK none of them can wait, and Deno's async forms would cost
 * more than the work.
 *
 * @module
 */

import { closeSync, constants, openSync, unlinkSync, writeSync } from "node:fs";
import { join } from "node:path";

/** Name of crun's start FIFO in a container's state directory. */
const EXEC_FIFO = "exec.fifo";

/**
 * Releases a created container's init, as `crun start` would. Returns
 * false, having changed nothing, when there is no FIFO (an unknown or
 * already started container) or no process waiting on it (init died): the
 * caller then runs `crun start` for crun's own answer.
 *
 * @throws {Error} when the FIFO exists but cannot be used.
 */
export function releaseExecFifo(containerStateDir: string): boolean {
  const fifo = join(containerStateDir, EXEC_FIFO);
  let fd: number;
  try {
    // Non-blocking: with no reader this fails (ENXIO) instead of hanging.
    fd = openSync(fifo, constants.O_WRONLY | constants.O_NONBLOCK);
  } catch (error) {
    const code = (error as { code?: string }).code;
    if (code === "ENOENT" || code === "ENXIO") return false;
    throw error;
  }
  try {
    // Unlinked first, as crun does: whoever removes it starts the container.
    unlinkSync(fifo);
    writeSync(fd, new Uint8Array([0]));
    return true;
  } finally {
    closeSync(fd);
  }
}
