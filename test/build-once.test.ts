// The suites share one build (dist/), and test files run two at a time while others run the built CLI.
// A file that rebuilt dist/ while another ran the CLI made that run fail at random ("does not provide an
// export named …", or no output at all). The build happens once, before the run (`npm test`), and only
// ensureBuilt() may build again, and only when a source is newer.
import { describe, expect, it } from "vitest";
import { readFileSync, readdirSync, statSync } from "node:fs";
import { join, relative } from "node:path";
import { REPO, ensureBuilt } from "./fixtures/helpers.js";

function files(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) => (e.isDirectory() ? files(join(dir, e.name)) : [join(dir, e.name)]));
}

describe("the build under test", () => {
  it("no test file runs tsc or the build itself: only ensureBuilt() (test/fixtures/helpers.ts) may", () => {
    const builders = files(join(REPO, "test"))
      .filter((f) => /\.(ts|mjs|cjs|js)$/.test(f) && !f.endsWith(join("fixtures", "helpers.ts")) && !f.endsWith("build-once.test.ts"))
      .filter((f) => /typescript\/bin\/tsc|"typescript", "bin", "tsc"|\["run", "build"\]/.test(readFileSync(f, "utf8")))
      .map((f) => relative(REPO, f));
    expect(builders).toEqual([]);
  });

  it("ensureBuilt() leaves an up-to-date dist/ untouched", () => {
    ensureBuilt();
    const main = join(REPO, "dist", "server", "cli", "main.js");
    const before = statSync(main).mtimeMs;
    ensureBuilt();
    expect(statSync(main).mtimeMs).toBe(before);
  }, 120_000);
});
