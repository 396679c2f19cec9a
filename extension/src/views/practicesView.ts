// The Practices view: each practice with its integration (full / partial / unassessed, as icon and
// text); under it the reasons, the latest assessment of each construct with its date, and, when the
// study keeps a participant registry, the participants under a node of their own.
import * as vscode from "vscode";
import { plural } from "../../../server/core/plural.js";
import type { Study } from "../studies";
import { type PracticeRow, type SummaryData, type WorkbenchData } from "./data";

type Node =
  | { kind: "study"; study: Study }
  | { kind: "practice"; study: Study; practice: PracticeRow }
  | { kind: "leaf"; id: string; label: string; description?: string; icon: string; open?: { root: string; file: string } }
  | { kind: "participants"; study: Study };

const ICONS: Record<string, { icon: string; colour?: string; text: string }> = {
  full: { icon: "pass-filled", colour: "testing.iconPassed", text: "fully integrated" },
  partial: { icon: "circle-large-outline", colour: "list.warningForeground", text: "partially integrated" },
  unassessed: { icon: "question", text: "not yet assessed" },
};

function words(construct: string): string {
  return construct.replace(/-/g, " ");
}

export class PracticesView implements vscode.TreeDataProvider<Node> {
  private readonly changed = new vscode.EventEmitter<Node | undefined>();
  readonly onDidChangeTreeData = this.changed.event;
  private summaries = new Map<string, SummaryData | undefined>();

  constructor(
    private readonly data: WorkbenchData,
    private readonly studies: () => Study[],
  ) {}

  async refresh(): Promise<void> {
    const next = new Map<string, SummaryData | undefined>();
    for (const s of this.studies()) next.set(s.root, await this.data.summary(s.root).catch(() => undefined));
    // generatedAt changes on every call: compare what the view shows.
    const shown = (m: Map<string, SummaryData | undefined>) => JSON.stringify([...m].map(([k, v]) => [k, v?.practices, v?.rule]));
    if (shown(next) === shown(this.summaries)) return;
    this.summaries = next;
    this.changed.fire(undefined);
  }

  getChildren(node?: Node): Node[] {
    const studies = this.studies();
    if (!node) return studies.length === 1 ? this.practiceNodes(studies[0]) : studies.map((study) => ({ kind: "study", study }));
    if (node.kind === "study") return this.practiceNodes(node.study);
    if (node.kind === "participants") {
      return node.study.participants.map((p) => ({
        kind: "leaf",
        id: `participant:${node.study.root}:${p.id}`,
        label: p.id,
        description: Object.entries(p.attributes).map(([k, v]) => `${k}: ${v}`).join(" · "),
        icon: "person",
      }));
    }
    if (node.kind !== "practice") return [];
    const { practice, study } = node;
    const base = `${study.root}:${practice.id}`;
    const out: Node[] = practice.reasons.map((r, i) => ({ kind: "leaf", id: `reason:${base}:${i}`, label: r, icon: "info" }));
    for (const [i, w] of practice.warnings.entries()) out.push({ kind: "leaf", id: `warning:${base}:${i}`, label: w, icon: "warning" });
    for (const [construct, c] of Object.entries(practice.constructs)) {
      out.push({
        kind: "leaf",
        id: `construct:${base}:${construct}`,
        label: words(construct),
        description: c.assessment ? `${c.assessment} on ${c.assessedOn}` : `not assessed · ${plural(c.notes, "note")}`,
        icon: c.assessment === "full" ? "check" : c.assessment ? "circle-outline" : "dash",
        open: c.assessedIn ? { root: study.root, file: c.assessedIn } : undefined,
      });
    }
    return out;
  }

  private practiceNodes(study: Study): Node[] {
    const summary = this.summaries.get(study.root);
    const nodes: Node[] = (summary?.practices ?? []).map((practice) => ({ kind: "practice", study, practice }));
    if (study.participants.length) nodes.push({ kind: "participants", study });
    return nodes;
  }

  getTreeItem(node: Node): vscode.TreeItem {
    switch (node.kind) {
      case "study": {
        const item = new vscode.TreeItem(node.study.name, vscode.TreeItemCollapsibleState.Expanded);
        item.id = `study:${node.study.root}`;
        return item;
      }
      case "participants": {
        const item = new vscode.TreeItem("Participants", vscode.TreeItemCollapsibleState.Collapsed);
        item.id = `participants:${node.study.root}`;
        item.description = `${node.study.participants.length}`;
        item.iconPath = new vscode.ThemeIcon("organization");
        return item;
      }
      case "practice": {
        const p = node.practice;
        const item = new vscode.TreeItem(p.id, vscode.TreeItemCollapsibleState.Collapsed);
        item.id = `practice:${node.study.root}:${p.id}`;
        const look = p.integration ? ICONS[p.integration] : undefined;
        item.description = `${look ? look.text + " · " : ""}${plural(p.notes, "note")}`;
        item.iconPath = look ? new vscode.ThemeIcon(look.icon, look.colour ? new vscode.ThemeColor(look.colour) : undefined) : new vscode.ThemeIcon("home");
        item.tooltip = `${p.name ?? p.id}: ${look?.text ?? "no integration judgement"}${p.reasons.length ? "\n" + p.reasons.join("\n") : ""}`;
        item.contextValue = "fieldnotes.practice";
        return item;
      }
      case "leaf": {
        const item = new vscode.TreeItem(node.label);
        item.id = node.id;
        item.description = node.description;
        item.iconPath = new vscode.ThemeIcon(node.icon);
        if (node.open) item.command = { command: "fieldnotes.openNoteAt", title: "Open Note", arguments: [node.open.root, node.open.file] };
        return item;
      }
    }
  }
}
