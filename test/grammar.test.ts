import { describe, it, expect } from "vitest";
import { spawnSync } from "node:child_process";
import { mkdtempSync, writeFileSync, readdirSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve, dirname } from "node:path";
import { fileURLToPath } from "node:url";

const root = resolve(dirname(fileURLToPath(import.meta.url)), "..");
const cli = join(root, "node_modules", "vscode-tmgrammar-test", "dist", "unit.js");
// The config registers the minimal test-only Markdown base grammar and injects
// grammar/fieldnotes.injection.tmLanguage.json into text.html.markdown (injectTo
// is only honoured through a config file, not through -g).
const config = join(root, "test", "grammar", "config.json");

function runTmGrammarTest(pattern: string) {
  const r = spawnSync(process.execPath, [cli, "--compact", "--config", config, pattern], {
    cwd: root,
    encoding: "utf8",
    env: { ...process.env, FORCE_COLOR: "0", NO_COLOR: "1" },
  });
  return { code: r.status, out: `${r.stdout ?? ""}${r.stderr ?? ""}` };
}

describe("fieldnotes TextMate injection grammar", () => {
  it("is a valid injection grammar with the expected scope name", () => {
    const g = JSON.parse(readFileSync(join(root, "grammar", "fieldnotes.injection.tmLanguage.json"), "utf8"));
    expect(g.scopeName).toBe("fieldnotes.injection");
    expect(g.injectionSelector).toMatch(/^L:text\.html\.markdown/);
    expect(g.injectionSelector).toContain("-markup.fenced_code");
    expect(g.injectionSelector).toContain("-markup.inline.raw");
  });

  it("passes every syntax test in test/grammar/*.test.md", () => {
    const files = readdirSync(join(root, "test", "grammar")).filter((f) => f.endsWith(".test.md"));
    expect(files.length).toBeGreaterThan(0);
    const { code, out } = runTmGrammarTest("test/grammar/*.test.md");
    expect(out, out).not.toMatch(/failed|ERROR/i);
    expect(code, out).toBe(0);
    for (const f of files) expect(out).toContain(f);
  });

  it("fails on a deliberately wrong expectation (the wrapper is not vacuous)", () => {
    const dir = mkdtempSync(join(tmpdir(), "fieldnotes-grammar-"));
    try {
      const fixture = [
        '<!-- SYNTAX TEST "text.html.markdown" "negative fixture"',
        "Not a tag: item #3 here",
        "<!--             ^^ meta.tag.code.fieldnotes",
        "",
      ].join("\n");
      writeFileSync(join(dir, "wrong.test.md"), fixture);
      const { code, out } = runTmGrammarTest(join(dir, "*.test.md").split("\\").join("/"));
      expect(code, out).not.toBe(0);
      expect(out).toMatch(/meta\.tag\.code\.fieldnotes/);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
