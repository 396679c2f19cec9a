// Static checks of the VS Code extension's manifest and packaged data (fast; no VS Code needed).
import { existsSync, readdirSync, readFileSync } from "node:fs";
import { join, resolve } from "node:path";
import { describe, expect, it } from "vitest";

const repo = resolve(import.meta.dirname, "..");
const pkg = JSON.parse(readFileSync(join(repo, "package.json"), "utf8"));
// Commands are registered across the extension's sources (extension.ts, workbench.ts, …).
const source = readdirSync(join(repo, "extension", "src"), { recursive: true, encoding: "utf8" })
  .filter((f) => f.endsWith(".ts"))
  .map((f) => readFileSync(join(repo, "extension", "src", f), "utf8"))
  .join("\n");

describe("extension manifest", () => {
  it("has the Marketplace fields", () => {
    expect(pkg.publisher).toBeTruthy();
    expect(pkg.displayName).toBeTruthy();
    expect(pkg.main).toBe("./extension/dist/extension.js");
    expect(pkg.engines.vscode).toMatch(/^\^1\.\d+\.\d+$/);
    expect(existsSync(join(repo, pkg.icon))).toBe(true);
    expect(pkg.categories).toContain("Linters");
    expect(pkg.activationEvents).toEqual(expect.arrayContaining(["workspaceContains:**/fieldnotes.yaml", "onLanguage:markdown"]));
  });

  it("registers every contributed command, and contributes every registered one", () => {
    const contributed = pkg.contributes.commands.map((c: { command: string }) => c.command).sort();
    const registered = [...source.matchAll(/reg\("(fieldnotes\.[A-Za-z.]+)"/g)].map((m) => m[1]).sort();
    expect(registered).toEqual(contributed);
  });

  it("contributes the workbench: a view container with three views, menus naming real commands, a walkthrough whose media exist", () => {
    const c = pkg.contributes;
    expect(c.viewsContainers.activitybar.map((v: { id: string }) => v.id)).toEqual(["fieldnotes"]);
    expect(existsSync(join(repo, c.viewsContainers.activitybar[0].icon))).toBe(true);
    expect(c.views.fieldnotes.map((v: { id: string }) => v.id)).toEqual(["fieldnotes.codebook", "fieldnotes.practices", "fieldnotes.segments"]);
    const commands = new Set(c.commands.map((x: { command: string }) => x.command));
    for (const [menu, items] of Object.entries(c.menus) as [string, { command: string }[]][]) {
      for (const item of items) expect(commands.has(item.command), `${menu}: ${item.command}`).toBe(true);
    }
    const steps = c.walkthroughs[0].steps as { media: { markdown: string } }[];
    expect(steps.length).toBeGreaterThanOrEqual(5);
    for (const step of steps) expect(existsSync(join(repo, step.media.markdown)), step.media.markdown).toBe(true);
    expect(c.configuration.properties["fieldnotes.segments.highlight"]).toMatchObject({ type: "boolean", default: true });
  });

  it("contributes the settings the language server and the summary read", () => {
    const props = pkg.contributes.configuration.properties;
    expect(props["fieldnotes.diagnostics.scope"]).toMatchObject({ enum: ["workspace", "openFiles"], default: "workspace" });
    expect(props["fieldnotes.identifiers.enabled"]).toMatchObject({ type: "boolean", default: true });
    expect(props["fieldnotes.server.port"]).toMatchObject({ type: "integer", default: 0 });
    expect(props["fieldnotes.trace.server"]).toMatchObject({ enum: ["off", "messages", "verbose"], default: "off" });
  });

  it("points at schemas that are draft-07 JSON Schemas", () => {
    for (const v of pkg.contributes.yamlValidation) {
      const schema = JSON.parse(readFileSync(join(repo, v.url), "utf8"));
      expect(schema.$schema).toBe("http://json-schema.org/draft-07/schema#");
      expect(schema.type).toBe("object");
    }
    expect(pkg.contributes.yamlValidation.map((v: { fileMatch: string }) => v.fileMatch)).toEqual(["fieldnotes.yaml", "codebook.yaml"]);
  });

  it("contributes the grammar injections (codes in prose, keys in frontmatter) and snippets that exist", () => {
    const grammars = pkg.contributes.grammars as { scopeName: string; path: string; injectTo: string[] }[];
    expect(grammars.map((g) => g.scopeName)).toEqual(["fieldnotes.injection", "fieldnotes.frontmatter"]);
    for (const g of grammars) {
      expect(g.injectTo).toEqual(["text.html.markdown"]);
      expect(JSON.parse(readFileSync(join(repo, g.path), "utf8")).scopeName).toBe(g.scopeName);
    }
    expect(existsSync(join(repo, pkg.contributes.snippets[0].path))).toBe(true);
  });

  it("keeps node_modules and sources out of the .vsix", () => {
    const ignore = readFileSync(join(repo, ".vscodeignore"), "utf8").split("\n");
    expect(ignore[ignore.findIndex((l) => !l.startsWith("#"))]).toBe("**");
    expect(ignore.some((l) => l.startsWith("!node_modules"))).toBe(false);
    expect(ignore).toContain("!extension/dist/package.json");
  });
});
