import assert from "node:assert/strict";
import { parseProbeOutput } from "../../../src/java/probe_output.ts";

Deno.test("parseProbeOutput() reads plain -version output", () => {
  const facts = parseProbeOutput(
    'openjdk version "17.0.15" 2025-04-15\n' +
      "OpenJDK Runtime Environment (build 17.0.15+6-Debian-1deb12u1)\n" +
      "OpenJDK 64-Bit Server VM (build 17.0.15+6-Debian-1deb12u1, mixed mode)\n",
  );
  assert.deepEqual(facts, { version: "17.0.15+6-Debian-1deb12u1" });
});

Deno.test("parseProbeOutput() skips a Picked up JAVA_TOOL_OPTIONS banner", () => {
  const facts = parseProbeOutput(
    "Picked up JAVA_TOOL_OPTIONS: -Dfile.encoding=UTF-8 -Xmx64m\n" +
      "Picked up _JAVA_OPTIONS: -Djava.io.tmpdir=/x\n" +
      'java version "1.8.0_392"\n' +
      "Java(TM) SE Runtime Environment (build 1.8.0_392-b08)\n" +
      "Java HotSpot(TM) 64-Bit Server VM (build 25.392-b08, mixed mode)\n",
  );
  assert.deepEqual(facts, { version: "1.8.0_392-b08" });
});

Deno.test("parseProbeOutput() reads OpenJ9's five-line output", () => {
  const facts = parseProbeOutput(
    'openjdk version "11.0.22" 2024-01-16\n' +
      "IBM Semeru Runtime Open Edition 11.0.22.0 (build 11.0.22+7)\n" +
      "Eclipse OpenJ9 VM 11.0.22.0 (build openj9-0.43.0, JRE 11 Linux " +
      "amd64-64-Bit Compressed References 20240131_1015 (JIT enabled, AOT " +
      "enabled)\n" +
      "OpenJ9   - 2c3d78b48\n" +
      "OMR      - ea8124dbc\n" +
      "JCL      - 7876cac747 based on jdk-11.0.22+7)\n",
  );
  assert.deepEqual(facts, { version: "11.0.22+7" });
});

Deno.test("parseProbeOutput() reads -XshowSettings:properties output", () => {
  const facts = parseProbeOutput(
    "Picked up JAVA_TOOL_OPTIONS: -Xmx64m\n" +
      "Property settings:\n" +
      "    file.encoding = UTF-8\n" +
      "    java.library.path = /usr/java/packages/lib\n" +
      "        /usr/lib64\n" +
      "    java.runtime.version = 25.0.3+9-LTS\n" +
      "    java.vendor = Eclipse Adoptium\n" +
      "    java.vendor.version = Temurin-25.0.3+9\n" +
      "    java.version = 25.0.3\n" +
      "    os.arch = amd64\n" +
      "\n" +
      'openjdk version "25.0.3" 2026-04-21 LTS\n' +
      "OpenJDK Runtime Environment Temurin-25.0.3+9 (build 25.0.3+9-LTS)\n",
  );
  assert.deepEqual(facts, {
    version: "25.0.3+9-LTS",
    vendor: "Eclipse Adoptium",
    vendorVersion: "Temurin-25.0.3+9",
    arch: "amd64",
  });
});

Deno.test("parseProbeOutput() returns nothing for unrelated text", () => {
  assert.deepEqual(parseProbeOutput("Error: could not open `x'\n"), {});
});
