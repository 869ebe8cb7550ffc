/**
 * What running a task needs from the host, checked once per test process.
 *
 * @module
 */

import { delimiter, join } from "node:path";

/**
 * Why tasks cannot run on this host, or null when they can: the plugin
 * must be root (crun creates containers and cgroups), and crun, conmon
 * and a JDK (java to run, javac and jar to build the fixtures) must be on
 * PATH.
 */
export async function hostProblem(): Promise<string | null> {
  if (Deno.build.os !== "linux") return "needs Linux";
  if (Deno.uid() !== 0) return "needs root";
  const missing: string[] = [];
  for (const tool of ["crun", "conmon", "java", "javac", "jar"]) {
    if (!await onPath(tool)) missing.push(tool);
  }
  return missing.length > 0 ? `needs ${missing.join(", ")} on PATH` : null;
}

async function onPath(name: string): Promise<boolean> {
  const dirs = (Deno.env.get("PATH") ?? "").split(delimiter).filter(Boolean);
  const javaHome = Deno.env.get("JAVA_HOME");
  if (javaHome) dirs.push(join(javaHome, "bin"));
  for (const dir of dirs) {
    try {
      const info = await Deno.stat(join(dir, name));
      if (info.isFile && ((info.mode ?? 0) & 0o111) !== 0) return true;
    } catch {
      // Not in this directory.
    }
  }
  return false;
}
