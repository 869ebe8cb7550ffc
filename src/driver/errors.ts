/**
 * Errors a caller of the driver acts on. The plugin layer maps each class to
 * a gRPC status in one place (src/plugin/status.ts).
 *
 * @module
 */

/** The task's `config {}` block is wrong; retrying cannot help. */
export class InvalidTaskConfigError extends Error {
  /** Creates the error; `message` names the key and the fix. */
  constructor(message: string, options?: ErrorOptions) {
    super(message, options);
    this.name = "InvalidTaskConfigError";
  }
}

/** The plugin configuration (agent `plugin "milo" { config {} }`) is wrong. */
export class InvalidPluginConfigError extends Error {
  /** Creates the error; `message` names the key and the fix. */
  constructor(message: string, options?: ErrorOptions) {
    super(message, options);
    this.name = "InvalidPluginConfigError";
  }
}

/** No task with that id is known to this plugin process. */
export class TaskNotFoundError extends Error {
  /** Creates the error for `taskId`. */
  constructor(readonly taskId: string) {
    super(`Cannot find task "${taskId}": no such task in this plugin`);
    this.name = "TaskNotFoundError";
  }
}

/** A task with that id is already running. */
export class TaskExistsError extends Error {
  /** Creates the error for `taskId`. */
  constructor(readonly taskId: string) {
    super(`Cannot start task "${taskId}": a task with this id already exists`);
    this.name = "TaskExistsError";
  }
}

/** The operation needs the task in another state (e.g. destroy a running task). */
export class TaskStateError extends Error {
  /** Creates the error; `message` says which state and what to do. */
  constructor(message: string) {
    super(message);
    this.name = "TaskStateError";
  }
}

/**
 * Starting the task failed for a reason outside the task's config.
 * `recoverable` tells Nomad whether its restart policy should retry.
 */
export class StartFailedError extends Error {
  /** Creates the error; see the class description for `recoverable`. */
  constructor(
    message: string,
    readonly recoverable: boolean,
    options?: ErrorOptions,
  ) {
    super(message, options);
    this.name = "StartFailedError";
  }
}
