/**
 * The characters crun accepts in a container id.
 *
 * @module
 */

const VALID_ID = /^[A-Za-z0-9_+.-]+$/;

/**
 * Tells whether crun accepts `id` as a container id: letters, digits and
 * `_ + . -` only, and not "." or "..". Nomad's task ids (with "/") are
 * not valid as they are.
 */
export function isValidContainerId(id: string): boolean {
  return VALID_ID.test(id) && id !== "." && id !== "..";
}

/**
 * Returns `id` when crun accepts it.
 *
 * @throws {TypeError} when it does not.
 */
export function checkContainerId(id: string): string {
  if (!isValidContainerId(id)) {
    throw new TypeError(
      `Cannot use container id "${id}": only letters, digits and "_+.-" are allowed`,
    );
  }
  return id;
}
