#!/usr/bin/env node
// `npm test`: sets up what the suites need, builds, then runs vitest with the arguments given
// (`npm test -- --reporter=json …` passes them on).
//
// The real-VS-Code suite (test/extension-e2e.test.ts) needs code-server and chromium: when they are
// not in the cache (~/.cache/fieldnotes-e2e, or $FIELDNOTES_E2E_CACHE), scripts/setup-code-server.sh
// installs them once (a few minutes, needs apt-get and the network). If that cannot work here, the
// suite is skipped with the reason in its title instead of failing; FIELDNOTES_SKIP_VSCODE_E2E=1
// skips it on purpose.
//
// For the wiring's own test (test/cli/npm-test.test.ts): FIELDNOTES_E2E_SETUP names another setup
// script, and FIELDNOTES_TEST_DRY_RUN=1 prints what would run (JSON) instead of building and testing.
import { spawnSync } from "node:child_process";
import { existsSync } from "node:fs";
import { homedir } from "node:os";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";

const repo = resolve(dirname(fileURLToPath(import.meta.url)), "..");
const env = { ...process.env };
const say = (line) => process.stderr.write(`[npm test] ${line}\n`);

/** The paths extension-e2e.test.ts looks for (keep in step with it). */
function e2eReady() {
  const cache = env.FIELDNOTES_E2E_CACHE || join(homedir(), ".cache", "fieldnotes-e2e");
  const codeServer = env.FIELDNOTES_CODE_SERVER || join(cache, "code-server-4.100.3", "node_modules", ".bin", "code-server");
  return existsSync(codeServer) && existsSync(env.FIELDNOTES_CHROMIUM || "/usr/bin/chromium");
}

const setupScript = env.FIELDNOTES_E2E_SETUP || join(repo, "scripts", "setup-code-server.sh");
let setupRan = false;
if (env.FIELDNOTES_SKIP_VSCODE_E2E !== "1" && !e2eReady()) {
  say("code-server and chromium for the real-VS-Code suite are not installed: running scripts/setup-code-server.sh (once; cached afterwards)");
  setupRan = true;
  const setup = spawnSync("bash", [setupScript], { cwd: repo, stdio: ["ignore", "ignore", "inherit"], env });
  if (setup.status !== 0 || !e2eReady()) {
    const why = `scripts/setup-code-server.sh could not install code-server and chromium here (exit ${setup.status ?? setup.error?.code}; it needs apt-get and the network)`;
    say(`${why}: the real-VS-Code suite will be skipped`);
    env.FIELDNOTES_SKIP_VSCODE_E2E = "1";
    env.FIELDNOTES_SKIP_VSCODE_E2E_REASON = why;
  }
}

if (env.FIELDNOTES_TEST_DRY_RUN === "1") {
  const skip = env.FIELDNOTES_SKIP_VSCODE_E2E === "1";
  process.stdout.write(JSON.stringify({ setupRan, skip, reason: env.FIELDNOTES_SKIP_VSCODE_E2E_REASON ?? null, vitest: ["run", ...process.argv.slice(2)] }) + "\n");
  process.exit(0);
}

// The build (npm run build): tsc, then the CLI's bundle (scripts/build.mjs).
const build = spawnSync(process.execPath, [join(repo, "scripts", "build.mjs")], { cwd: repo, stdio: "inherit" });
if (build.status !== 0) {
  say("the build failed");
  process.exit(build.status ?? 1);
}

const vitest = spawnSync(process.execPath, [join(repo, "node_modules", "vitest", "vitest.mjs"), "run", ...process.argv.slice(2)], { cwd: repo, stdio: "inherit", env });
process.exit(vitest.status ?? 1);
