// `check --format github|sarif` and `check --staged` (SPEC section 15) through the CLI as a process,
// and the repository's .pre-commit-hooks.yaml.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import Ajv from "ajv";
import { parse as parseYaml } from "yaml";
import { BASIC_CODEBOOK, BASIC_CONFIG, GOOD_NOTE, REPO, cleanupTemp, ensureBuilt, makeStudy, runCli } from "../fixtures/helpers.js";
import { commitAll, git, makeRepo, writeFiles } from "../history/git.js";

beforeAll(() => ensureBuilt(), 120_000);
afterAll(() => cleanupTemp());

// A note whose diagnostics carry every character GitHub wants escaped: `%`, CR, LF in the message
// (an unknown practice id holding them is quoted back), `:` and `,` in the file name.
const NASTY_NOTE = [
  "---",
  'practice: "Ma%gen,ta:\\r\\nX"',
  "date: 2016-02-30",
  "npt: coherence",
  "---",
  "",
  "Text #gp-buyin and #old-code.",
  "",
].join("\n");

/** GitHub's workflow-command syntax: `::command prop=value,…::message`, nothing unescaped inside. */
const COMMAND = /^::(error|warning|notice) ((?:[A-Za-z]+=[^,:\r\n]*)(?:,[A-Za-z]+=[^,:\r\n]*)*)::([^\r\n]*)$/;

function unescapeData(s: string): string {
  return s.replace(/%0A/g, "\n").replace(/%0D/g, "\r").replace(/%3A/g, ":").replace(/%2C/g, ",").replace(/%25/g, "%");
}

describe("check --format github", () => {
  it("prints one workflow command per diagnostic, escaped as GitHub documents", async () => {
    const root = makeStudy({ "notes/Magenta/a,b:c%.md": NASTY_NOTE, "notes/Magenta/ok.md": GOOD_NOTE });
    const json = JSON.parse((await runCli(["check", "--format", "json"], root)).stdout);
    const r = await runCli(["check", "--format", "github"], root);
    expect(r.code).toBe(1);
    const lines = r.stdout.trimEnd().split("\n");
    const expected = json.files.flatMap((f: { file: string; diagnostics: { rule: string; severity: string; message: string; range: { start: { line: number; character: number }; end: { line: number; character: number } } }[] }) =>
      f.diagnostics.map((d) => ({ file: f.file, ...d })),
    );
    expect(lines).toHaveLength(expected.length);
    expect(expected.some((d: { message: string }) => /[%\r\n]/.test(d.message))).toBe(true);
    lines.forEach((line, i) => {
      const m = COMMAND.exec(line);
      expect(m, line).not.toBeNull();
      const d = expected[i];
      expect(m![1]).toBe({ error: "error", warning: "warning", information: "notice" }[d.severity as string]);
      const props = Object.fromEntries(m![2].split(",").map((p) => [p.slice(0, p.indexOf("=")), p.slice(p.indexOf("=") + 1)]));
      expect(unescapeData(props.file)).toBe(d.file);
      expect(props.file).toContain("%2C");
      expect(props.file).toContain("%3A");
      expect(props.file).toContain("%25");
      expect(Number(props.line)).toBe(d.range.start.line + 1);
      expect(Number(props.col)).toBe(d.range.start.character + 1);
      expect(Number(props.endLine)).toBe(d.range.end.line + 1);
      expect(Number(props.endColumn)).toBe(d.range.end.character + 1);
      expect(props.title).toBe(d.rule);
      expect(m![3]).toBe(d.message.replace(/%/g, "%25").replace(/\r/g, "%0D").replace(/\n/g, "%0A"));
    });
  }, 120_000);

  it("prints nothing and exits 0 for a clean study", async () => {
    const root = makeStudy({ "notes/Magenta/ok.md": GOOD_NOTE });
    const r = await runCli(["check", "--format", "github"], root);
    expect(r).toMatchObject({ code: 0, stdout: "" });
  }, 120_000);
});

/**
 * The required properties of SARIF 2.1.0 (OASIS standard, sections 3.13-3.30) for what fieldnotes
 * writes: the official JSON schema is not available offline here, so this subset is checked instead.
 */
const SARIF_SUBSET = {
  type: "object",
  required: ["version", "runs"],
  properties: {
    version: { const: "2.1.0" },
    $schema: { type: "string" },
    runs: {
      type: "array",
      minItems: 1,
      items: {
        type: "object",
        required: ["tool"],
        properties: {
          tool: {
            type: "object",
            required: ["driver"],
            properties: {
              driver: {
                type: "object",
                required: ["name"],
                properties: {
                  name: { type: "string" },
                  version: { type: "string" },
                  rules: {
                    type: "array",
                    items: {
                      type: "object",
                      required: ["id"],
                      properties: {
                        id: { type: "string" },
                        shortDescription: { type: "object", required: ["text"], properties: { text: { type: "string" } } },
                        defaultConfiguration: { type: "object", properties: { level: { enum: ["none", "note", "warning", "error"] } } },
                      },
                    },
                  },
                },
              },
            },
          },
          columnKind: { enum: ["utf16CodeUnits", "unicodeCodePoints"] },
          results: {
            type: "array",
            items: {
              type: "object",
              required: ["message", "ruleId", "level", "locations"],
              properties: {
                ruleId: { type: "string" },
                ruleIndex: { type: "integer", minimum: 0 },
                level: { enum: ["none", "note", "warning", "error"] },
                message: { type: "object", required: ["text"], properties: { text: { type: "string" } } },
                locations: {
                  type: "array",
                  minItems: 1,
                  items: {
                    type: "object",
                    required: ["physicalLocation"],
                    properties: {
                      physicalLocation: {
                        type: "object",
                        required: ["artifactLocation", "region"],
                        properties: {
                          artifactLocation: { type: "object", required: ["uri"], properties: { uri: { type: "string", format: "uri-reference" } } },
                          region: {
                            type: "object",
                            required: ["startLine", "startColumn", "endLine", "endColumn"],
                            properties: {
                              startLine: { type: "integer", minimum: 1 },
                              startColumn: { type: "integer", minimum: 1 },
                              endLine: { type: "integer", minimum: 1 },
                              endColumn: { type: "integer", minimum: 1 },
                            },
                          },
                        },
                      },
                    },
                  },
                },
              },
            },
          },
        },
      },
    },
  },
};

describe("check --format sarif", () => {
  it("is a SARIF 2.1.0 log with one result per diagnostic and its rule described", async () => {
    const root = makeStudy({ "notes/Magenta/a b.md": NASTY_NOTE, "notes/Magenta/ok.md": GOOD_NOTE });
    const json = JSON.parse((await runCli(["check", "--format", "json"], root)).stdout);
    const r = await runCli(["check", "--format", "sarif"], root);
    expect(r.code).toBe(1);
    const log = JSON.parse(r.stdout);
    const ajv = new Ajv({ allErrors: true, strict: false, validateFormats: false });
    const valid = ajv.validate(SARIF_SUBSET, log);
    expect(ajv.errors ?? []).toEqual([]);
    expect(valid).toBe(true);
    const run = log.runs[0];
    const diagnostics = json.files.flatMap((f: { file: string; diagnostics: object[] }) => f.diagnostics.map((d) => ({ file: f.file, ...d })));
    expect(run.results).toHaveLength(diagnostics.length);
    run.results.forEach((res: { ruleId: string; ruleIndex: number; level: string; message: { text: string }; locations: { physicalLocation: { artifactLocation: { uri: string }; region: Record<string, number> } }[] }, i: number) => {
      const d = diagnostics[i];
      expect(res.ruleId).toBe(d.rule);
      expect(run.tool.driver.rules[res.ruleIndex].id).toBe(d.rule);
      expect(res.level).toBe({ error: "error", warning: "warning", information: "note" }[d.severity as string]);
      expect(res.message.text).toBe(d.message);
      expect(decodeURIComponent(res.locations[0].physicalLocation.artifactLocation.uri)).toBe(d.file);
      expect(res.locations[0].physicalLocation.region).toEqual({
        startLine: d.range.start.line + 1,
        startColumn: d.range.start.character + 1,
        endLine: d.range.end.line + 1,
        endColumn: d.range.end.character + 1,
      });
    });
    expect(run.tool.driver.rules.map((x: { id: string }) => x.id)).toEqual(expect.arrayContaining(["code-unknown", "date-invalid", "practice-unknown", "code-deprecated"]));
  }, 120_000);
});

describe("check --staged", () => {
  const BAD = GOOD_NOTE.replace("#shared-learning", "#no-such-code");

  it("a staged bad note fails while its fixed, unstaged copy does not matter", async () => {
    const top = makeRepo();
    writeFiles(top, { "study/fieldnotes.yaml": BASIC_CONFIG, "study/codebook.yaml": BASIC_CODEBOOK, "study/notes/Magenta/a.md": GOOD_NOTE });
    commitAll(top, "first");
    writeFiles(top, { "study/notes/Magenta/a.md": BAD });
    git(top, "add", "study/notes/Magenta/a.md");
    writeFiles(top, { "study/notes/Magenta/a.md": GOOD_NOTE });
    expect((await runCli(["check"], join(top, "study"))).code).toBe(0);
    const r = await runCli(["check", "--staged", "study"], top);
    expect(r.code).toBe(1);
    expect(r.stdout).toContain("study/notes/Magenta/a.md:7:");
    expect(r.stdout).toContain("code-unknown");
    expect(git(top, "diff", "--cached", "--name-only").trim()).toBe("study/notes/Magenta/a.md");
  }, 120_000);

  it("a staged good note passes while its broken, unstaged copy does not matter; the staged codebook counts", async () => {
    const top = makeRepo();
    writeFiles(top, { "fieldnotes.yaml": BASIC_CONFIG, "codebook.yaml": BASIC_CODEBOOK, "notes/Magenta/a.md": GOOD_NOTE });
    commitAll(top, "first");
    writeFiles(top, { "notes/Magenta/a.md": BAD });
    expect((await runCli(["check"], top)).code).toBe(1);
    expect((await runCli(["check", "--staged"], top)).code).toBe(0);
    // A new code staged in the codebook makes the staged note valid; unstaged, it does not.
    writeFiles(top, { "codebook.yaml": BASIC_CODEBOOK + "  no-such-code:\n    label: Now known\n" });
    git(top, "add", "notes/Magenta/a.md");
    expect((await runCli(["check", "--staged"], top)).code).toBe(1);
    git(top, "add", "codebook.yaml");
    expect((await runCli(["check", "--staged"], top)).code).toBe(0);
  }, 120_000);

  it("outside a git repository: one plain line, exit 2", async () => {
    const root = makeStudy({ "notes/Magenta/ok.md": GOOD_NOTE });
    const r = await runCli(["check", "--staged"], root);
    expect(r.code).toBe(2);
    expect(r.stderr.trim().split("\n")).toHaveLength(1);
    expect(r.stderr).toMatch(/not inside a git repository/);
  }, 120_000);
});

describe(".pre-commit-hooks.yaml", () => {
  it("declares fieldnotes-check running check --staged", () => {
    const hooks = parseYaml(readFileSync(join(REPO, ".pre-commit-hooks.yaml"), "utf8"));
    const hook = hooks.find((h: { id: string }) => h.id === "fieldnotes-check");
    expect(hook).toMatchObject({ entry: "fieldnotes check --staged", language: "node", pass_filenames: false });
  }, 120_000);
});
