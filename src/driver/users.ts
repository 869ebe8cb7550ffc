/**
 * Resolves the task's `user` to numeric ids from the host's /etc/passwd and
 * /etc/group, which the container shares (bound read-only).
 *
 * @module
 */

/** Numeric identity of the task's process. */
export interface TaskUser {
  uid: number;
  gid: number;
  additionalGids: number[];
}

/** Thrown when the user cannot be resolved; the message names it. */
export class UnknownUserError extends Error {
  /** Creates the error. */
  constructor(message: string) {
    super(message);
    this.name = "UnknownUserError";
  }
}

/**
 * Resolves `user` ("name", "uid" or "uid:gid") with the text of /etc/passwd
 * and /etc/group.
 *
 * @throws {UnknownUserError} when the name is not in `passwd`.
 */
export function resolveUser(
  user: string,
  passwd: string,
  group: string,
): TaskUser {
  const numeric = /^(\d+)(?::(\d+))?$/.exec(user);
  if (numeric) {
    const uid = Number(numeric[1]);
    const gid = numeric[2] !== undefined
      ? Number(numeric[2])
      : Number(findEntry(passwd, 2, numeric[1])?.[3] ?? uid);
    return { uid, gid, additionalGids: [] };
  }

  const entry = findEntry(passwd, 0, user);
  if (!entry) {
    throw new UnknownUserError(
      `Cannot resolve user "${user}": no such user in /etc/passwd; set the ` +
        "task's user to an existing user or a numeric uid",
    );
  }
  const gid = Number(entry[3]);
  const additionalGids = group.split("\n")
    .map((line) => line.split(":"))
    .filter((fields) => (fields[3] ?? "").split(",").includes(user))
    .map((fields) => Number(fields[2]))
    .filter((id) => Number.isInteger(id) && id !== gid);
  return { uid: Number(entry[2]), gid, additionalGids };
}

function findEntry(
  text: string,
  column: number,
  value: string,
): string[] | undefined {
  return text.split("\n")
    .map((line) => line.split(":"))
    .find((fields) => fields.length >= 4 && fields[column] === value);
}
