/**
 * Writes a bench's generated figures into docs/performance.md, between
 * two marker comments, leaving the prose around them as it is.
 *
 * @module
 */

import { fileURLToPath } from "node:url";

/** docs/ of this checkout. */
export const DOCS_DIR = fileURLToPath(new URL("../docs/", import.meta.url));

const PERFORMANCE_MD = `${DOCS_DIR}performance.md`;

/**
 * Replaces the text between `<!-- NAME:begin -->` and `<!-- NAME:end -->`
 * in docs/performance.md with `body`; appends the markers and the body
 * when the file has none yet.
 */
export async function writeDocsSection(
  name: string,
  body: string,
): Promise<void> {
  const begin = `<!-- ${name}:begin (written by the bench; edit around it) -->`;
  const end = `<!-- ${name}:end -->`;
  const text = await Deno.readTextFile(PERFORMANCE_MD);
  const from = text.indexOf(begin);
  const to = text.indexOf(end);
  const block = `${begin}\n\n${body.trim()}\n\n${end}`;
  const next = from >= 0 && to > from
    ? text.slice(0, from) + block + text.slice(to + end.length)
    : `${text.trimEnd()}\n\n${block}\n`;
  await Deno.writeTextFile(PERFORMANCE_MD, next);
}
