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
  const value = Number(text);
  if (Number.isInteger(value) && value > 0) return value;
  throw new Error(`${option} must be a positive whole number, not "${text}"`);
}
