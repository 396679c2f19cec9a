// Placeholder until the HTTP server lands (issue 4).
import type { Study } from "../core/study.js";
export async function startServer(_: { study: Study; port: number; host: string; log: (s: string) => void; print: (s: string) => void }): Promise<void> {
  throw new Error("fieldnotes serve is not available yet.");
}
