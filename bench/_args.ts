/**
 * Command-line helpers shared by the bench scripts.
 *
 * @module
 */

/**
 * A positive whole number given for `option`.
 *
 * @throws {Error} naming the option and the text when it is not one.
 */
export function count(option: string, text: string): number {
  const value = /^\d+$/.test(text) ? Number(text) : NaN;
  if (Number.isSafeInteger(value) && value > 0) return value;
  throw new Error(`${option} must be a positive whole number, not "${text}"`);
}
