/**
 * Reading Nomad's log FIFOs, as its logmon does.
 *
 * @module
 */

/**
 * Copies everything written into the FIFO at `path` to `out` until every
 * writer has closed it. Opening waits until the first writer appears.
 */
export async function pumpFifo(
  path: string,
  out: { write(p: Uint8Array): Promise<number> },
): Promise<void> {
  using fifo = await Deno.open(path, { read: true });
  const buffer = new Uint8Array(64 * 1024);
  let sink: typeof out | undefined = out;
  while (true) {
    const n = await fifo.read(buffer);
    if (n === null) return;
    try {
      let written = 0;
      while (sink && written < n) {
        written += await sink.write(buffer.subarray(written, n));
      }
    } catch {
      // Our reader went away (`milo run ... | head`). Keep draining the
      // FIFO, so the task never blocks on a full pipe, and drop the rest.
      sink = undefined;
    }
  }
}

/**
 * Opens and closes the write end of a FIFO, so a reader still waiting in
 * {@linkcode pumpFifo} for a writer that never came sees end-of-file.
 */
export async function releaseFifo(path: string): Promise<void> {
  const fifo = await Deno.open(path, { write: true });
  fifo.close();
}
