// The Segments view: the result of the current retrieval (SPEC section 12: by code, practice,
// participant or any filter), grouped by note; each row the segment's first words with its date and
// practice. Clicking a row opens the note with the segment selected.
import * as path from "node:path";
import * as vscode from "vscode";
import { plural } from "../../../server/core/plural.js";
import { type Filters, type SegmentRow, type WorkbenchData } from "./data";

type Node = { kind: "note"; file: string; rows: SegmentRow[] } | { kind: "segment"; row: SegmentRow } | { kind: "message"; text: string };

const FIRST_WORDS = 12;

/** The first words of a segment's text, inline codes and Markdown markers left out, for a one-line row. */
export function firstWords(text: string): string {
  const words = text.replace(/(^|\s)#[A-Za-z0-9][A-Za-z0-9-]*/g, "$1").replace(/^[#>*\s|-]+/, "").split(/\s+/).filter(Boolean);
  return words.slice(0, FIRST_WORDS).join(" ") + (words.length > FIRST_WORDS ? " …" : "");
}

export function describeFilters(filters: Filters): string {
  return Object.entries(filters).map(([k, vs]) => `${k}=${vs.join("|")}`).join(", ");
}

export class SegmentsView implements vscode.TreeDataProvider<Node> {
  private readonly changed = new vscode.EventEmitter<Node | undefined>();
  readonly onDidChangeTreeData = this.changed.event;
  /** The current retrieval: the study and its filters. */
  query?: { root: string; filters: Filters };
  result?: { total: number; segments: SegmentRow[] };
  error?: string;
  view?: vscode.TreeView<Node>;

  constructor(private readonly data: WorkbenchData) {}

  async show(root: string, filters: Filters): Promise<void> {
    this.query = { root, filters };
    this.result = undefined;
    await this.refresh(true);
  }

  async refresh(force = false): Promise<void> {
    if (!this.query) return;
    let next: { total: number; segments: SegmentRow[] } | undefined;
    let error: string | undefined;
    try {
      next = await this.data.segments(this.query.root, this.query.filters);
    } catch (e) {
      error = e instanceof Error ? e.message : String(e);
    }
    if (!force && error === this.error && JSON.stringify(next) === JSON.stringify(this.result)) return;
    this.result = next;
    this.error = error;
    if (this.view) {
      this.view.description = describeFilters(this.query.filters);
      this.view.message = error ? error : next ? `${plural(next.total, "segment")}${next.total > next.segments.length ? ` (first ${next.segments.length} shown)` : ""}` : undefined;
    }
    this.changed.fire(undefined);
  }

  getChildren(node?: Node): Node[] {
    if (node?.kind === "note") return node.rows.map((row) => ({ kind: "segment", row }));
    if (node) return [];
    if (!this.query) return [{ kind: "message", text: "Choose a code in the Codebook view, or run 'Fieldnotes: Find Segments…'." }];
    const byFile = new Map<string, SegmentRow[]>();
    for (const row of this.result?.segments ?? []) {
      const list = byFile.get(row.file) ?? [];
      list.push(row);
      byFile.set(row.file, list);
    }
    return [...byFile].map(([file, rows]) => ({ kind: "note", file, rows }));
  }

  getTreeItem(node: Node): vscode.TreeItem {
    if (node.kind === "message") return new vscode.TreeItem(node.text);
    if (node.kind === "note") {
      const item = new vscode.TreeItem(path.posix.basename(node.file), vscode.TreeItemCollapsibleState.Expanded);
      item.id = `note:${this.query?.root}:${node.file}`;
      item.description = `${path.posix.dirname(node.file)} · ${plural(node.rows.length, "segment")}`;
      item.resourceUri = vscode.Uri.file(path.join(this.query!.root, ...node.file.split("/")));
      item.iconPath = vscode.ThemeIcon.File;
      return item;
    }
    const { row } = node;
    const item = new vscode.TreeItem(firstWords(row.text) || row.text.slice(0, 60));
    item.id = `segment:${this.query?.root}:${row.file}:${row.line}`;
    item.description = `${row.date} · ${row.practice}`;
    item.tooltip = new vscode.MarkdownString().appendText(row.text).appendMarkdown(`\n\n${row.codes.map((c) => `\`#${c}\``).join(" ")} — ${row.file}:${row.line}`);
    item.command = { command: "fieldnotes.openSegment", title: "Open Segment", arguments: [this.query!.root, row.file, row.line, row.text] };
    return item;
  }
}
