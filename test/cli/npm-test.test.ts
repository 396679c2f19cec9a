// `npm test` sets up what its suites need (scripts/test.mjs): the real-VS-Code suite's code-server and
// chromium are installed when missing, not run for again when cached, and the suite is skipped with the
// reason only when setup cannot work. Fake setup scripts and FIELDNOTES_TEST_DRY_RUN keep this quick.
import { afterAll, describe, expect, it } from "vitest";
import { spawnSync } from "node:child_process";
import { existsSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { REPO, cleanupTemp, tempDir } from "../fixtures/helpers.js";

afterAll(() => cleanupTemp());

const CODE_SERVER = ["code-server-4.100.3", "node_modules", ".bin", "code-server"];

function run(env: Record<string, string>, args: string[] = []) {
  const clean = Object.fromEntries(Object.entries(process.env).filter(([k]) => !k.startsWith("FIELDNOTES_") && !/^npm_/i.test(k)));
  const r = spawnSync(process.execPath, [join(REPO, "scripts", "test.mjs"), ...args], {
    cwd: REPO,
    encoding: "utf8",
    env: { ...clean, FIELDNOTES_TEST_DRY_RUN: "1", ...env },
  });
  expect(r.status, r.stderr).toBe(0);
  return { plan: JSON.parse(r.stdout) as { setupRan: boolean; skip: boolean; reason: string | null; vitest: string[] }, stderr: r.stderr };
}

describe("npm test", () => {
  it("is scripts/test.mjs, and .ci/run still calls npm test after the setup", () => {
    const pkg = JSON.parse(readFileSync(join(REPO, "package.json"), "utf8"));
    expect(pkg.scripts.test).toBe("node scripts/test.mjs");
    const ci = readFileSync(join(REPO, ".ci", "run"), "utf8");
    expect(ci).toMatch(/scripts\/setup-code-server\.sh/);
    expect(ci).toMatch(/\nnpm test -- /);
  });

  it("runs the setup when code-server is missing; with it cached, does not run it again", () => {
    const cache = tempDir("fieldnotes-e2e-cache-");
    const chromium = join(cache, "chromium");
    writeFileSync(chromium, "");
    const marker = join(cache, "setup-ran");
    const setup = join(cache, "setup.sh");
    writeFileSync(setup, `set -e\ntouch '${marker}'\nmkdir -p '${join(cache, ...CODE_SERVER.slice(0, -1))}'\ntouch '${join(cache, ...CODE_SERVER)}'\n`);
    const env = { FIELDNOTES_E2E_CACHE: cache, FIELDNOTES_CHROMIUM: chromium, FIELDNOTES_E2E_SETUP: setup };
    const first = run(env, ["--reporter=json"]);
    expect(first.plan).toEqual({ setupRan: true, skip: false, reason: null, vitest: ["run", "--reporter=json"] });
    expect(existsSync(marker)).toBe(true);
    const second = run(env);
    expect(second.plan.setupRan).toBe(false);
    expect(second.plan.skip).toBe(false);
  });

  it("when the setup cannot work, the suite is skipped with the reason (not failed)", () => {
    const cache = tempDir("fieldnotes-e2e-cache-");
    const setup = join(cache, "setup.sh");
    writeFileSync(setup, "echo 'apt-get: no network' >&2\nexit 1\n");
    const { plan, stderr } = run({ FIELDNOTES_E2E_CACHE: cache, FIELDNOTES_CHROMIUM: join(cache, "none"), FIELDNOTES_E2E_SETUP: setup });
    expect(plan.setupRan).toBe(true);
    expect(plan.skip).toBe(true);
    expect(plan.reason).toMatch(/could not install code-server and chromium here \(exit 1; it needs apt-get and the network\)/);
    expect(stderr).toMatch(/the real-VS-Code suite will be skipped/);
  });

  it("FIELDNOTES_SKIP_VSCODE_E2E=1 skips on purpose, without running the setup", () => {
    const cache = tempDir("fieldnotes-e2e-cache-");
    const { plan } = run({ FIELDNOTES_E2E_CACHE: cache, FIELDNOTES_SKIP_VSCODE_E2E: "1", FIELDNOTES_E2E_SETUP: "/nonexistent" });
    expect(plan).toMatchObject({ setupRan: false, skip: true });
  });
});
