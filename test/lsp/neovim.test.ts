// The README's Neovim configuration, run in a real headless Neovim against the built language server:
// a note with an unknown code gets its diagnostic. The snippet is read from README.md (so the README
// is what is tested), with only its `cmd` pointed at this checkout instead of `npx fieldnotes`.
// Neovim 0.7 (Debian 12) runs the first snippet; the shorter one needs 0.10. Without Neovim (or
// without 0.10 for the second) the test says it was skipped.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { execFileSync, spawnSync } from "node:child_process";
import { appendFileSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { BASIC_CODEBOOK, BASIC_CONFIG, GOOD_NOTE, REPO, cleanupTemp, ensureBuilt, makeStudy, tempDir } from "../fixtures/helpers.js";

const version = (() => {
  try {
    const m = /NVIM v(\d+)\.(\d+)/.exec(execFileSync("nvim", ["--version"], { encoding: "utf8" }));
    return m ? [Number(m[1]), Number(m[2])] : undefined;
  } catch {
    return undefined;
  }
})();
const atLeast = (major: number, minor: number) => !!version && (version[0] > major || (version[0] === major && version[1] >= minor));
if (!version) console.warn("test/lsp/neovim: skipped, Neovim (nvim) is not installed (apt-get install neovim)");
else if (!atLeast(0, 10)) console.warn(`test/lsp/neovim: the Neovim 0.10 snippet skipped, this is Neovim ${version.join(".")}`);

beforeAll(() => ensureBuilt(), 120_000);
afterAll(() => cleanupTemp());

/** The Lua code blocks of the README's Neovim section, in order. */
function readmeSnippets(): string[] {
  const readme = readFileSync(join(REPO, "README.md"), "utf8");
  const from = readme.indexOf("In Neovim, one client per");
  const section = readme.slice(from, readme.indexOf("####", from));
  return [...section.matchAll(/```lua\n([\s\S]*?)```/g)].map((m) => m[1]);
}

/** Runs `snippet` in headless Neovim on a note with an unknown code; returns the diagnostics it shows. */
function diagnosticsIn(snippet: string): string[] {
  const study = makeStudy({ "notes/Magenta/a.md": GOOD_NOTE.replace("#shared-learning", "#no-such-code") }, { config: BASIC_CONFIG, codebook: BASIC_CODEBOOK });
  const work = tempDir("fieldnotes-nvim-");
  const out = join(work, "out.txt");
  const cmd = `{ "${process.execPath}", "${join(REPO, "bin", "fieldnotes.js")}", "lsp", "--stdio" }`;
  const lua = snippet.replace('{ "npx", "fieldnotes", "lsp", "--stdio" }', cmd);
  expect(lua, "the README snippet's cmd").toContain(cmd);
  writeFileSync(join(work, "init.lua"), lua);
  // Waits for the server's diagnostics (up to 20 s), writes them, and quits.
  appendFileSync(
    join(work, "init.lua"),
    `
local tries = 0
local function report()
  local d = vim.diagnostic.get(0)
  tries = tries + 1
  if #d == 0 and tries < 100 then return vim.defer_fn(report, 200) end
  local lines = {}
  for _, x in ipairs(d) do table.insert(lines, (x.lnum + 1) .. " " .. tostring(x.code)) end
  local f = io.open(${JSON.stringify(out)}, "w")
  f:write(table.concat(lines, "\\n"))
  f:close()
  vim.cmd("qa!")
end
vim.defer_fn(report, 200)
`,
  );
  const r = spawnSync("nvim", ["--headless", "-u", join(work, "init.lua"), join(study, "notes/Magenta/a.md")], { cwd: study, encoding: "utf8", timeout: 60_000 });
  expect(r.status, r.stderr).toBe(0);
  return readFileSync(out, "utf8").split("\n").filter(Boolean);
}

describe("the README's Neovim configuration in a real Neovim", () => {
  it.skipIf(!version)("the Neovim 0.7+ snippet attaches the server and shows the note's diagnostics", () => {
    const [snippet] = readmeSnippets();
    expect(snippet).toContain("vim.lsp.start_client");
    const line = GOOD_NOTE.split("\n").findIndex((l) => l.includes("#shared-learning")) + 1;
    expect(diagnosticsIn(snippet)).toContain(`${line} code-unknown`);
  }, 90_000);

  it.skipIf(!atLeast(0, 10))("the Neovim 0.10 snippet does the same", () => {
    const snippet = readmeSnippets()[1];
    expect(snippet).toContain("vim.fs.root");
    const line = GOOD_NOTE.split("\n").findIndex((l) => l.includes("#shared-learning")) + 1;
    expect(diagnosticsIn(snippet)).toContain(`${line} code-unknown`);
  }, 90_000);
});
