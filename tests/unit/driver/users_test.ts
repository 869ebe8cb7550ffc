import assert from "node:assert/strict";
import { resolveUser, UnknownUserError } from "../../../src/driver/users.ts";

const passwd = [
  "root:x:0:0:root:/root:/bin/bash",
  "nobody:x:65534:65534:nobody:/nonexistent:/usr/sbin/nologin",
  "app:x:1000:1000::/home/app:/bin/sh",
].join("\n");
const group = [
  "root:x:0:",
  "nogroup:x:65534:",
  "app:x:1000:",
  "java:x:2000:app",
]
  .join("\n");

Deno.test("resolveUser() finds a name and its extra groups", () => {
  assert.deepEqual(resolveUser("app", passwd, group), {
    uid: 1000,
    gid: 1000,
    additionalGids: [2000],
  });
  assert.deepEqual(resolveUser("nobody", passwd, group), {
    uid: 65534,
    gid: 65534,
    additionalGids: [],
  });
});

Deno.test("resolveUser() takes numeric uid and uid:gid", () => {
  assert.deepEqual(resolveUser("1000", passwd, group).gid, 1000);
  assert.deepEqual(resolveUser("4242", passwd, group), {
    uid: 4242,
    gid: 4242,
    additionalGids: [],
  });
  assert.deepEqual(resolveUser("5:6", passwd, group), {
    uid: 5,
    gid: 6,
    additionalGids: [],
  });
});

Deno.test("resolveUser() names an unknown user", () => {
  assert.throws(
    () => resolveUser("ghost", passwd, group),
    (error: Error) =>
      error instanceof UnknownUserError && /"ghost"/.test(error.message),
  );
});
