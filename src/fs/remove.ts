/**
 * Removing a file that may already be gone.
 *
 * @module
 */

/**
 * Removes the file at `path`; a missing one is fine. Synchronous: it is
 * used for Milo's own small files in its local state dir, where the call
 * takes microseconds and an async one costs a trip through Deno's blocking
 * thread pool.
 *
 * @throws {Deno.errors.PermissionDenied} and other errors but NotFound.
 */
export function removeIfExists(path: string): void {
  try {
    Deno.removeSync(path);
  } catch (error) {
    if (!(error instanceof Deno.errors.NotFound)) throw error;
  }
}
