// The Codebook view: the code hierarchy of every study, each code with its label and use
// ("3 notes · 5 segments"), deprecated codes marked; a filter shows only unused codes.
import * as vscode from "vscode";
import { plural } from "../../../server/core/plural.js";
import type { Study } from "../studies";
import { type CodeRow, type WorkbenchData } from "./data";

export type CodebookNode =
  | { kind: "study"; study: Study }
  | { kind: "code"; study: Study; code: CodeRow; children: CodeRow[] }
  | { kind: "message"; text: string };

export class CodebookView implements vscode.TreeDataProvider<CodebookNode> {
  private readonly changed = new vscode.EventEmitter<CodebookNode | undefined>();
  readonly onDidChangeTreeData = this.changed.event;
  /** Codes by study root, as last fetched. */
  private codes = new Map<string, CodeRow[]>();
  unusedOnly = false;

  constructor(
    private readonly data: WorkbenchData,
    private readonly studies: () => Study[],
  ) {}

  /** Fetches every study's codes again; the tree changes only where the data did. */
  async refresh(): Promise<void> {
    const next = new Map<string, CodeRow[]>();
    for (const s of this.studies()) next.set(s.root, (await this.data.codes(s.root).catch(() => undefined))?.codes ?? []);
    if (JSON.stringify([...next]) === JSON.stringify([...this.codes])) return;
    this.codes = next;
    this.changed.fire(undefined);
  }

  setUnusedOnly(on: boolean): void {
    this.unusedOnly = on;
    void vscode.commands.executeCommand("setContext", "fieldnotes.codebook.unusedOnly", on);
    this.changed.fire(undefined);
  }

  /** Every code shown for a study, for tests and pickers. */
  codesOf(root: string): CodeRow[] {
    return this.codes.get(root) ?? [];
  }

  getChildren(node?: CodebookNode): CodebookNode[] {
    const studies = this.studies();
    if (!node) {
      if (studies.length === 1) return this.codeNodes(studies[0], null);
      return studies.map((study) => ({ kind: "study", study }));
    }
    if (node.kind === "study") return this.codeNodes(node.study, null);
    if (node.kind === "code") return this.codeNodes(node.study, node.code.id);
    return [];
  }

  private codeNodes(study: Study, parent: string | null): CodebookNode[] {
    const all = this.codes.get(study.root) ?? [];
    if (this.unusedOnly) {
      // A flat list: unused codes wherever they sit in the hierarchy.
      if (parent !== null) return [];
      const unused = all.filter((c) => c.notes === 0);
      return unused.length ? unused.map((code) => ({ kind: "code", study, code, children: [] })) : [{ kind: "message", text: "Every code is used." }];
    }
    const ids = new Set(all.map((c) => c.id));
    // A parent that is not in the codebook (codebook-reference error) puts its children at the top.
    const rows = all.filter((c) => (parent === null ? c.parent === null || !ids.has(c.parent) : c.parent === parent));
    return rows.map((code) => ({ kind: "code", study, code, children: all.filter((c) => c.parent === code.id) }));
  }

  getTreeItem(node: CodebookNode): vscode.TreeItem {
    if (node.kind === "message") return new vscode.TreeItem(node.text);
    if (node.kind === "study") {
      const item = new vscode.TreeItem(node.study.name, vscode.TreeItemCollapsibleState.Expanded);
      item.id = `study:${node.study.root}`;
      item.iconPath = new vscode.ThemeIcon("notebook");
      return item;
    }
    const { code, study } = node;
    const item = new vscode.TreeItem(code.id, node.children.length ? vscode.TreeItemCollapsibleState.Expanded : vscode.TreeItemCollapsibleState.None);
    item.id = `code:${study.root}:${code.id}`;
    const use = `${plural(code.notes, "note")} · ${plural(code.segments, "segment")}`;
    // The counts first: they are what a researcher scans the tree for; the label follows.
    item.description = [use, code.label, code.deprecated ? "deprecated" : undefined].filter(Boolean).join(" · ");
    item.tooltip = new vscode.MarkdownString(
      `**${code.id}**${code.label ? ` — ${code.label}` : ""}\n\n${use}${code.npt ? `\n\nNPT: \`${code.npt}\`` : ""}${code.deprecated ? "\n\n*Deprecated*" : ""}`,
    );
    item.iconPath = new vscode.ThemeIcon(code.deprecated ? "circle-slash" : code.notes === 0 ? "circle-outline" : "tag");
    item.contextValue = code.deprecated ? "fieldnotes.code.deprecated" : "fieldnotes.code";
    item.command = { command: "fieldnotes.showSegments", title: "Show Segments", arguments: [{ root: study.root, code: code.id }] };
    return item;
  }

  getParent(node: CodebookNode): CodebookNode | undefined {
    if (node.kind !== "code" || this.unusedOnly) return undefined;
    const all = this.codes.get(node.study.root) ?? [];
    const parent = all.find((c) => c.id === node.code.parent);
    if (parent) return { kind: "code", study: node.study, code: parent, children: all.filter((c) => c.parent === parent.id) };
    return this.studies().length > 1 ? { kind: "study", study: node.study } : undefined;
  }
}
