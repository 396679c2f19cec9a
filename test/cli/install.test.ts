// Installing fieldnotes into a study as the README says, on npm 11 with default settings: `npm pack` (its
// prepack script builds dist/) in a copy of the project, then `npm install --save-dev <tarball>` in a
// study, offline from the npm cache, then `npx fieldnotes check` there. And the launcher without dist/.
import { afterAll, describe, expect, it } from "vitest";
import { spawnSync } from "node:child_process";
import { copyFileSync, cpSync, mkdirSync, readdirSync, realpathSync, rmSync, symlinkSync, utimesSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { GOOD_NOTE, REPO, cleanupTemp, makeStudy, tempDir } from "../fixtures/helpers.js";

afterAll(() => cleanupTemp());

/** The environment without npm's own variables (this file may run under `npm test`). */
function cleanEnv(): NodeJS.ProcessEnv {
  return Object.fromEntries(Object.entries(process.env).filter(([k]) => !/^npm_/i.test(k)));
}

function npm(args: string[], cwd: string, timeout = 240_000) {
  return spawnSync("npm", [...args, "--no-audit", "--no-fund", "--no-update-notifier"], { cwd, encoding: "utf8", timeout, env: cleanEnv() });
}

const SKIP_COPY = new Set(["node_modules", "dist", ".git", "test-output", ".fieldnotes", ".cache"]);

describe("install into a study from a packed tarball", () => {
  it("npm pack builds dist/ (prepack); npm install --save-dev <tarball> works offline; npx fieldnotes check runs", { timeout: 420_000 }, (ctx) => {
    // A copy of the project without dist/, as in a fresh clone (node_modules shared, not installed).
    const clone = join(tempDir("fieldnotes-clone-"), "fieldnotes");
    cpSync(REPO, clone, { recursive: true, filter: (src) => !SKIP_COPY.has(src.slice(REPO.length + 1).split(/[\\/]/)[0]) });
    symlinkSync(realpathSync(join(REPO, "node_modules")), join(clone, "node_modules"));
    const out = tempDir("fieldnotes-pack-");
    const pack = npm(["pack", "--pack-destination", out], clone);
    expect(pack.status, `${pack.stdout}\n${pack.stderr}`).toBe(0);
    const tarball = readdirSync(out).find((f) => f.endsWith(".tgz"));
    expect(tarball).toBeDefined();
    const listing = spawnSync("tar", ["tzf", join(out, tarball!)], { encoding: "utf8" }).stdout.split("\n");
    expect(listing).toContain("package/dist/server/cli/main.js");
    for (const f of ["fieldnotes.js", "worker.js", "scanworker.js"]) expect(listing).toContain(`package/dist/cli/${f}`);
    expect(listing).toContain("package/bin/fieldnotes.js");
    expect(listing).toContain("package/templates/observation.md");
    expect(listing.filter((f) => f.startsWith("package/test/") || f.startsWith("package/node_modules/"))).toEqual([]);

    const study = makeStudy({ "notes/Magenta/a.md": GOOD_NOTE });
    writeFileSync(join(study, "package.json"), JSON.stringify({ name: "my-study", private: true }) + "\n");
    const install = npm(["install", "--offline", "--save-dev", join(out, tarball!)], study);
    if (install.status !== 0 && /ENOTCACHED|only-if-cached/.test(install.stderr)) {
      ctx.skip(`the npm cache lacks fieldnotes' dependencies, so the offline install cannot work here: ${install.stderr.split("\n")[0]}`);
    }
    expect(install.status, install.stderr).toBe(0);
    const check = spawnSync("npx", ["--offline", "fieldnotes", "check"], { cwd: study, encoding: "utf8", timeout: 60_000, env: cleanEnv() });
    expect(check.status, check.stderr).toBe(0);
    expect(check.stdout.trim()).toBe("1 note checked: 0 errors, 0 warnings, 0 information.");
  });
});

describe("the launcher without its build", () => {
  it("says in one line to build (or install the packed tarball), exit 2, no stack trace", () => {
    const pkg = tempDir("fieldnotes-unbuilt-");
    mkdirSync(join(pkg, "bin"));
    copyFileSync(join(REPO, "bin", "fieldnotes.js"), join(pkg, "bin", "fieldnotes.js"));
    writeFileSync(join(pkg, "package.json"), JSON.stringify({ name: "fieldnotes", type: "module" }));
    const r = spawnSync(process.execPath, [join(pkg, "bin", "fieldnotes.js"), "check"], { encoding: "utf8" });
    expect(r.status).toBe(2);
    const lines = r.stderr.trimEnd().split("\n");
    expect(lines, r.stderr).toHaveLength(1);
    expect(lines[0]).toMatch(/^fieldnotes: not built \(dist\/server\/cli\/main\.js is missing in .*\): run 'npm run build' there/);
    expect(r.stderr).not.toMatch(/internal error|ERR_MODULE_NOT_FOUND|\n\s+at /);
  });

  it("runs the bundle (dist/cli/) when it is at least as new as the modules, else the modules (a bare tsc since)", () => {
    const pkg = tempDir("fieldnotes-launch-");
    for (const d of ["bin", "dist/server/cli", "dist/cli"]) mkdirSync(join(pkg, d), { recursive: true });
    copyFileSync(join(REPO, "bin", "fieldnotes.js"), join(pkg, "bin", "fieldnotes.js"));
    writeFileSync(join(pkg, "package.json"), JSON.stringify({ name: "fieldnotes", type: "module" }));
    const fake = (which: string) => `export async function main() { process.stdout.write("${which}\\n"); return 0; }\n`;
    writeFileSync(join(pkg, "dist/server/cli/main.js"), fake("modules"));
    writeFileSync(join(pkg, "dist/cli/fieldnotes.js"), fake("bundle"));
    const run = () => spawnSync(process.execPath, [join(pkg, "bin", "fieldnotes.js"), "check"], { encoding: "utf8" }).stdout;
    utimesSync(join(pkg, "dist/server/cli/main.js"), 1_700_000_000, 1_700_000_000);
    utimesSync(join(pkg, "dist/cli/fieldnotes.js"), 1_700_000_100, 1_700_000_100);
    expect(run()).toBe("bundle\n");
    utimesSync(join(pkg, "dist/server/cli/main.js"), 1_700_000_200, 1_700_000_200);
    expect(run()).toBe("modules\n");
    rmSync(join(pkg, "dist/cli"), { recursive: true });
    expect(run()).toBe("modules\n");
  });
});
