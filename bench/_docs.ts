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
 * in docs/performance.md with `body`, then formats the file with
 * `deno fmt`; appends the markers and the body when the file has none yet.
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
  // The tables as written are not aligned; `deno task check` wants them so.
  const fmt = await new Deno.Command(Deno.execPath(), {
    args: ["fmt", "--quiet", PERFORMANCE_MD],
  }).output();
  if (!fmt.success) {
    throw new Error(
      `Cannot format ${PERFORMANCE_MD}: ${
        new TextDecoder().decode(fmt.stderr)
      }`,
    );
  }
}
