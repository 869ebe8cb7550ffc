/**
 * The error of a failed crun or conmon call.
 *
 * @module
 */

/** Details of a failed crun or conmon call. */
export interface CrunErrorDetails {
  /** The argv that ran, without the namespace wrapper. */
  command: string[];
  /** Exit code, or null when the process was killed or never reported. */
  exitCode: number | null;
  /** What the process wrote to stderr, trimmed. */
  stderr: string;
  /** The underlying error, if any. */
  cause?: unknown;
}

/**
 * A crun or conmon call failed. The message starts with the failed action
 * and ends with crun's own message, e.g. `Cannot start container "web":
 * container "web" is not in created state`.
 */
export class CrunError extends Error {
  /** The argv that ran, without the namespace wrapper. */
  readonly command: string[];
  /** Exit code, or null when the process was killed or never reported. */
  readonly exitCode: number | null;
  /** What the process wrote to stderr, trimmed. */
  readonly stderr: string;

  /** Creates the error; `message` already holds the action and reason. */
  constructor(message: string, details: CrunErrorDetails) {
    super(message, { cause: details.cause });
    this.name = "CrunError";
    this.command = details.command;
    this.exitCode = details.exitCode;
    this.stderr = details.stderr;
  }
}
