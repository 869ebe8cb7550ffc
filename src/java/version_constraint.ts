/**
 * The `java_version` task option: which runtimes a task accepts.
 *
 * @module
 */

import type { JavaVersion } from "./java_version.ts";

/** A parsed `java_version`; build one with {@linkcode parseConstraint}. */
export type VersionConstraint =
  | { kind: "feature"; feature: number; text: string }
  | { kind: "atLeast"; feature: number; text: string }
  | { kind: "range"; from: number; to: number; text: string }
  | { kind: "prefix"; parts: number[]; text: string };

const ACCEPTED = 'accepted forms are "17", "17+", "11-17" and "21.0.2"';
const FEATURE = /^(?:1\.(?=[1-8]$))?(\d{1,3})$/;
const AT_LEAST = /^(\d{1,3})\s*\+$/;
const RANGE = /^(\d{1,3})\s*-\s*(\d{1,3})$/;
const PREFIX = /^(\d{1,3})(?:\.(\d{1,5})){1,3}(?:\+(\d{1,5}))?$/;

/**
 * Parses a version constraint: "17" (that feature release), "17+" (17 or
 * newer), "11-17" (an inclusive range of feature releases), "21.0.2" (that
 * version prefix, component by component: 21.0.2 matches 21.0.2+13 and
 * 21.0.2.1, not 21.0.20). Legacy "1.8" is read as "8".
 *
 * @throws {TypeError} naming the input and the accepted forms.
 */
export function parseConstraint(text: string): VersionConstraint {
  const input = text.trim();
  const invalid = (why: string) =>
    new TypeError(
      `Cannot parse java_version "${text}": ${why}; ${ACCEPTED}`,
    );

  let match = FEATURE.exec(input);
  if (match) return { kind: "feature", feature: feature(match[1]), text };
  match = AT_LEAST.exec(input);
  if (match) return { kind: "atLeast", feature: feature(match[1]), text };
  match = RANGE.exec(input);
  if (match) {
    const [from, to] = [feature(match[1]), feature(match[2])];
    if (from > to) throw invalid(`the range runs backwards`);
    return { kind: "range", from, to, text };
  }
  if (/^1\.(?:9|[1-9]\d)/.test(input)) {
    throw invalid('the "1." scheme ended with 1.8');
  }
  if (PREFIX.test(input)) return prefix(input, text);
  throw invalid("not a version");

  function feature(digits: string): number {
    const value = Number(digits);
    if (value < 1) throw invalid(`feature release "${digits}" is below 1`);
    return value;
  }
}

function prefix(input: string, text: string): VersionConstraint {
  const [numbers, build] = input.split("+");
  let parts = numbers.split(".").map(Number);
  // 1.8.0_392 style constraints are not accepted, but "1.8.0" is JDK 8.
  if (parts[0] === 1 && parts.length > 1 && parts[1] <= 8) {
    parts = parts.slice(1);
  }
  while (parts.length < 4 && build !== undefined) parts.push(0);
  if (build !== undefined) parts.push(Number(build));
  return { kind: "prefix", parts, text };
}

/** Tells whether a version satisfies a constraint. */
export function matchesConstraint(
  version: JavaVersion,
  constraint: VersionConstraint,
): boolean {
  switch (constraint.kind) {
    case "feature":
      return version.feature === constraint.feature;
    case "atLeast":
      return version.feature >= constraint.feature;
    case "range":
      return version.feature >= constraint.from &&
        version.feature <= constraint.to;
    case "prefix": {
      const { feature, interim, update, patch, build } = version;
      const own = [feature, interim, update, patch, build];
      return constraint.parts.every((part, i) => own[i] === part);
    }
  }
}
