import assert from "node:assert/strict";
import { parseRelease } from "../../../src/java/release_file.ts";

Deno.test("parseRelease() reads a Temurin 25 release file", () => {
  const fields = parseRelease(
    'IMPLEMENTOR="Eclipse Adoptium"\nIMPLEMENTOR_VERSION="Temurin-25.0.3+9"\n' +
      'JAVA_RUNTIME_VERSION="25.0.3+9-LTS"\nJAVA_VERSION="25.0.3"\n' +
      'OS_ARCH="x86_64"\nIMAGE_TYPE="JDK"\n',
  );
  assert.equal(fields.IMPLEMENTOR, "Eclipse Adoptium");
  assert.equal(fields.IMPLEMENTOR_VERSION, "Temurin-25.0.3+9");
  assert.equal(fields.JAVA_RUNTIME_VERSION, "25.0.3+9-LTS");
  assert.equal(fields.OS_ARCH, "x86_64");
});

Deno.test("parseRelease() reads a Debian 17 file without IMPLEMENTOR_VERSION", () => {
  const fields = parseRelease(
    'IMPLEMENTOR="Debian"\nJAVA_RUNTIME_VERSION="17.0.15+6-Debian-1deb12u1"\n' +
      'JAVA_VERSION="17.0.15"\nSOURCE=""\n',
  );
  assert.equal(fields.JAVA_RUNTIME_VERSION, "17.0.15+6-Debian-1deb12u1");
  assert.equal(fields.IMPLEMENTOR_VERSION, undefined);
  assert.equal(fields.SOURCE, "");
});

Deno.test("parseRelease() reads an old 1.8 file with CRLF line ends", () => {
  const fields = parseRelease(
    'JAVA_VERSION="1.8.0_392"\r\nOS_ARCH="amd64"\r\nOS_NAME="Linux"\r\n',
  );
  assert.equal(fields.JAVA_VERSION, "1.8.0_392");
  assert.equal(fields.OS_ARCH, "amd64");
});

Deno.test("parseRelease() leaves keys a GraalVM-like file lacks absent", () => {
  const fields = parseRelease(
    'JAVA_VERSION="17.0.9"\nGRAALVM_VERSION="23.0.2"',
  );
  assert.equal(fields.JAVA_VERSION, "17.0.9");
  assert.equal(fields.IMPLEMENTOR, undefined);
  assert.equal(fields.JAVA_RUNTIME_VERSION, undefined);
});
