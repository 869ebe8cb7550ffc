/**
 * The reading end of a task's log FIFO, held the way Nomad's logmon holds
 * it: opened before StartTask (the monitor's open of the write end waits
 * for a reader) and read until every writer has closed it.
 *
 * The FIFO is read by a `cat` process, through a pipe. Deno reads a file
 * (a FIFO too) on its pool of 32 blocking threads, and a read that waits
 * for a writer holds its thread: 16 tasks' FIFOs read with `Deno.open`
 * would take every thread, and any further file operation of the process
 * would wait for ever. A child's pipe is read without a thread.
 *
 * @module
 */

import { closeSync, constants, openSync } from "node:fs";

const decoder = new TextDecoder();

/** Collects every byte written into one FIFO until end-of-file. */
export class FifoReader {
  readonly path: string;
  /** Resolves with all bytes once the last writer has closed the FIFO. */
  readonly done: Promise<Uint8Array>;
  #chunks: Uint8Array[] = [];
  #opened = false;
  #child?: Deno.ChildProcess;
  #aborted = false;
  #waiters = new Set<() => void>();

  /** Starts opening `path` for reading; the open waits for a writer. */
  constructor(path: string) {
    this.path = path;
    this.done = this.#read();
  }

  /** What has arrived so far, decoded as UTF-8. */
  text(): string {
    return decoder.decode(concat(this.#chunks));
  }

  /**
   * Resolves once `text` has arrived.
   *
   * @throws {Error} when the FIFO ends or `timeoutMs` passes first.
   */
  async waitForText(text: string, timeoutMs: number): Promise<void> {
    let timer: ReturnType<typeof setTimeout> | undefined;
    let wake = () => {};
    try {
      await new Promise<void>((resolve, reject) => {
        wake = () => {
          if (this.text().includes(text)) resolve();
        };
        this.#waiters.add(wake);
        wake();
        const ended = () =>
          reject(new Error(`"${this.path}" ended without "${text}"`));
        this.done.then(ended, ended);
        timer = setTimeout(
          () =>
            reject(
              new Error(
                `Cannot find "${text}" in "${this.path}" after ` +
                  `${timeoutMs} ms; it holds ${JSON.stringify(this.text())}`,
              ),
            ),
          timeoutMs,
        );
      });
    } finally {
      clearTimeout(timer);
      this.#waiters.delete(wake);
    }
  }

  /**
   * Ends a reader whose writer never came (StartTask failed before the
   * monitor opened the FIFO): opening the write end without blocking
   * completes the pending open, and closing it gives end-of-file. ENXIO
   * means no reader is in open(2) yet (`cat` is still starting), so it is
   * retried for a while.
   */
  async release(): Promise<void> {
    const deadline = performance.now() + 2000;
    while (!this.#opened && performance.now() < deadline) {
      try {
        closeSync(
          openSync(this.path, constants.O_WRONLY | constants.O_NONBLOCK),
        );
        return;
      } catch {
        await new Promise((resolve) => setTimeout(resolve, 10));
      }
    }
  }

  /** Stops reading now, whatever the writers do (last-resort cleanup). */
  abort(): void {
    this.#aborted = true;
    try {
      this.#child?.kill("SIGKILL");
    } catch {
      // Ended already.
    }
  }

  async #read(): Promise<Uint8Array> {
    const child = new Deno.Command("cat", {
      args: ["--", this.path],
      stdin: "null",
      stdout: "piped",
      stderr: "piped",
    }).spawn();
    this.#child = child;
    const errors = new Response(child.stderr).text();
    try {
      for await (const chunk of child.stdout) {
        this.#opened = true;
        this.#chunks.push(chunk);
        for (const wake of this.#waiters) wake();
      }
    } catch (error) {
      // abort() cancelled the pipe.
      if (!this.#aborted) throw error;
    }
    const status = await child.status;
    if (!status.success && !this.#aborted) {
      throw new Error(
        `Cannot read "${this.path}": cat exited ${status.code}: ` +
          (await errors).trim(),
      );
    }
    return concat(this.#chunks);
  }
}

function concat(chunks: Uint8Array[]): Uint8Array {
  const out = new Uint8Array(chunks.reduce((sum, c) => sum + c.length, 0));
  let offset = 0;
  for (const chunk of chunks) {
    out.set(chunk, offset);
    offset += chunk.length;
  }
  return out;
}
