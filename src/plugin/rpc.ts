/**
 * Adapters from async functions to grpc-js handlers: every failure becomes
 * a status through {@linkcode toServiceError}, so no request can crash the
 * plugin, and long-lived streams end only when the client goes away.
 *
 * @module
 */

import type {
  sendUnaryData,
  ServerUnaryCall,
  ServerWritableStream,
} from "@grpc/grpc-js";
import { status as Code } from "@grpc/grpc-js";
import type { Logger } from "../log/logger.ts";
import { StatusError, toServiceError } from "./status.ts";

/** Wraps `fn` as a unary handler; `signal` aborts when the call is cancelled. */
export function unary<Req, Res>(
  logger: Logger,
  method: string,
  fn: (request: Req, signal: AbortSignal) => Promise<Res> | Res,
) {
  return (call: ServerUnaryCall<Req, Res>, callback: sendUnaryData<Res>) => {
    const abort = new AbortController();
    call.on("cancelled", () => abort.abort(new Error(`${method} cancelled`)));
    Promise.resolve()
      .then(() => fn(call.request, abort.signal))
      .then(
        (response) => callback(null, response),
        (error) => {
          if (abort.signal.aborted) return;
          logger.debug("request failed", { method, error });
          callback(toServiceError(error));
        },
      );
  };
}

/** Wraps an async generator as a server-streaming handler. */
export function serverStream<Req, Res>(
  logger: Logger,
  method: string,
  fn: (request: Req, signal: AbortSignal) => AsyncIterable<Res>,
) {
  return (call: ServerWritableStream<Req, Res>) => {
    const abort = new AbortController();
    const stop = () => abort.abort();
    call.on("cancelled", stop);
    call.on("close", stop);
    call.on("error", stop);
    (async () => {
      for await (const message of fn(call.request, abort.signal)) {
        if (abort.signal.aborted) break;
        call.write(message);
      }
    })().catch((error) => {
      if (abort.signal.aborted) return;
      logger.error("stream failed", { method, error });
      call.emit("error", toServiceError(error));
    });
  };
}

/** A unary handler answering UNIMPLEMENTED with a message naming the RPC. */
export function unimplementedUnary(rpc: string, detail = "") {
  return (_call: unknown, callback: sendUnaryData<never>) =>
    callback(toServiceError(notImplemented(rpc, detail)));
}

/** A streaming handler answering UNIMPLEMENTED with a message naming the RPC. */
export function unimplementedStream(rpc: string) {
  return (call: { emit(event: "error", error: unknown): boolean }) => {
    // grpc-js turns an "error" event on a server stream into its status.
    call.emit("error", toServiceError(notImplemented(rpc, "")));
  };
}

function notImplemented(rpc: string, detail: string): StatusError {
  return new StatusError(
    Code.UNIMPLEMENTED,
    `${rpc} is not implemented by Milo yet${detail ? `: ${detail}` : ""}`,
  );
}
