import { readFileSync, rmSync } from "node:fs";
import { E2E_PID_FILE } from "./global-setup";

export default async function globalTeardown() {
  try {
    const pid = Number(readFileSync(E2E_PID_FILE, "utf8"));
    process.kill(-pid, "SIGTERM");
  } catch {
    /* already gone */
  }
  rmSync(E2E_PID_FILE, { force: true });
}
