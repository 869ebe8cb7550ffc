/**
 * The one place where Milo's errors become gRPC statuses.
 *
 * Nomad reads only the status code, the message and, for StartTask, the
 * first status detail: FAILED_PRECONDITION with a RecoverableError detail
 * lets the job's restart policy retry; anything else fails the allocation
 * (nomad `plugins/drivers/server.go`, `helper/pluginutils/grpcutils`).
 *
 * @module
 */

import { Buffer } from "node:buffer";
import { Metadata, status as Code } from "@grpc/grpc-js";
import type { ServerErrorResponse } from "@grpc/grpc-js";
import { Status } from "../gen/google/rpc/status.ts";
import { RecoverableError } from "../gen/nomad/structs.ts";
import {
  InvalidPluginConfigError,
  InvalidTaskConfigError,
  StartFailedError,
  TaskExistsError,
  TaskNotFoundError,
  TaskStateError,
} from "../driver/errors.ts";
import { CtyDecodeError } from "./cty_msgpack.ts";
import { errorText } from "../log/logger.ts";

const RECOVERABLE_TYPE_URL =
  "type.googleapis.com/hashicorp.nomad.plugins.shared.structs.RecoverableError";

/** An error carrying an explicit gRPC status (for protocol-level checks). */
export class StatusError extends Error {
  /** Creates the error with `code` and `message`. */
  constructor(readonly code: Code, message: string) {
    super(message);
    this.name = "StatusError";
  }
}

/** Maps any thrown value to the status a gRPC handler returns. */
export function toServiceError(error: unknown): Partial<ServerErrorResponse> {
  const details = errorText(error);
  if (error instanceof StatusError) return { code: error.code, details };
  if (error instanceof StartFailedError) {
    return recoverable(details, error.recoverable);
  }
  return { code: codeFor(error), details };
}

/** The gRPC code for a domain error class. */
export function codeFor(error: unknown): Code {
  if (
    error instanceof InvalidTaskConfigError ||
    error instanceof InvalidPluginConfigError ||
    error instanceof CtyDecodeError
  ) return Code.INVALID_ARGUMENT;
  if (error instanceof TaskNotFoundError) return Code.NOT_FOUND;
  if (error instanceof TaskExistsError) return Code.ALREADY_EXISTS;
  if (error instanceof TaskStateError) return Code.FAILED_PRECONDITION;
  return Code.UNKNOWN;
}

/**
 * FAILED_PRECONDITION with a RecoverableError detail, carried the way
 * grpc-go's status package does: a serialized google.rpc.Status in the
 * `grpc-status-details-bin` trailer.
 */
function recoverable(
  details: string,
  isRecoverable: boolean,
): Partial<ServerErrorResponse> {
  const status = Status.encode({
    code: Code.FAILED_PRECONDITION,
    message: details,
    details: [{
      typeUrl: RECOVERABLE_TYPE_URL,
      value: Buffer.from(
        RecoverableError.encode({ recoverable: isRecoverable }).finish(),
      ),
    }],
  }).finish();
  const metadata = new Metadata();
  metadata.set("grpc-status-details-bin", Buffer.from(status));
  return { code: Code.FAILED_PRECONDITION, details, metadata };
}
