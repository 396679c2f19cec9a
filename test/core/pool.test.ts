// The parse pool (server/core/pool.ts), built, with its worker threads: threads start only when enough
// notes remain to be parsed, so a warm run (every note cached) starts none.
import { beforeAll, describe, expect, it } from "vitest";
import { join } from "node:path";
import { pathToFileURL } from "node:url";
import { REPO, ensureBuilt } from "../fixtures/helpers.js";

beforeAll(() => ensureBuilt(), 120_000);

const NOTE = new TextEncoder().encode("---\npractice: Magenta\ndate: 2016-03-14\nnpt: coherence\n---\n\nAgreed. #gp-buy-in\n");

describe("ParsePool", () => {
  it("starts no thread until enough notes remain, then parses in threads with the same facts", async () => {
    const { ParsePool } = await import(pathToFileURL(join(REPO, "dist", "server", "core", "pool.js")).href);
    const pool = new ParsePool(10_000, 2);
    try {
      expect(pool.threaded).toBe(false); // nothing submitted: a warm run never gets further
      const here = await pool.submit(NOTE, 5);
      expect(pool.threaded).toBe(false);
      expect(here.facts.codes.map((c: { id: string }) => c.id)).toEqual(["gp-buy-in"]);
      const there = await pool.submit(NOTE, 5_000);
      expect(pool.threaded).toBe(true);
      expect(JSON.parse(there.json).codes.map((c: { id: string }) => c.id)).toEqual(["gp-buy-in"]);
    } finally {
      await pool.close();
    }
  }, 60_000);
});
