// Coded segments marked in the editor's gutter and overview ruler, a colour per core NPT construct
// (grey for codes mapped to none), so a researcher sees at a glance what is coded and how. Data:
// the language server's `fieldnotes/noteSegments`, which reflects unsaved text. Setting:
// `fieldnotes.segments.highlight`.
import * as vscode from "vscode";
import type { NoteMark, WorkbenchData } from "./views/data";

export const MARK_COLOURS: Record<string, string> = {
  coherence: "#3B82F6",
  "cognitive-participation": "#16A34A",
  "collective-action": "#EA580C",
  "reflexive-monitoring": "#9333EA",
  uncoded: "#808080",
};

export class SegmentMarks implements vscode.Disposable {
  private readonly types = new Map<string, vscode.TextEditorDecorationType>();
  private timer?: NodeJS.Timeout;
  /** Ranges set per editor and construct at the last update, for the tests. */
  readonly applied = new Map<string, Record<string, number[]>>();

  constructor(
    private readonly data: WorkbenchData,
    media: (file: string) => vscode.Uri,
  ) {
    for (const [construct, colour] of Object.entries(MARK_COLOURS)) {
      this.types.set(
        construct,
        vscode.window.createTextEditorDecorationType({
          gutterIconPath: media(`segment-${construct}.svg`),
          gutterIconSize: "contain",
          overviewRulerColor: colour,
          overviewRulerLane: vscode.OverviewRulerLane.Left,
          isWholeLine: true,
        }),
      );
    }
  }

  enabled(): boolean {
    return vscode.workspace.getConfiguration("fieldnotes").get<boolean>("segments.highlight", true);
  }

  /** Updates the visible editors soon (edits come in bursts). */
  schedule(delayMs = 300): void {
    if (this.timer) clearTimeout(this.timer);
    this.timer = setTimeout(() => void this.updateAll(), delayMs);
  }

  async updateAll(): Promise<void> {
    await Promise.all(vscode.window.visibleTextEditors.map((e) => this.update(e)));
  }

  async update(editor: vscode.TextEditor): Promise<void> {
    const doc = editor.document;
    if (doc.languageId !== "markdown" || doc.uri.scheme !== "file") return;
    let marks: NoteMark[] = [];
    if (this.enabled()) {
      // A Markdown file outside any study, or not a note, has no marks.
      marks = (await this.data.noteMarks(doc.uri).catch(() => undefined))?.segments ?? [];
    }
    const byConstruct = new Map<string, vscode.Range[]>([...this.types.keys()].map((k) => [k, []]));
    for (const m of marks) {
      const range = new vscode.Range(m.line - 1, 0, Math.max(m.line - 1, m.endLine - 1), 0);
      for (const c of m.constructs.length ? m.constructs : ["uncoded"]) byConstruct.get(c)?.push(range);
    }
    const applied: Record<string, number[]> = {};
    for (const [construct, type] of this.types) {
      const ranges = byConstruct.get(construct) ?? [];
      editor.setDecorations(type, ranges);
      if (ranges.length) applied[construct] = ranges.map((r) => r.start.line + 1);
    }
    this.applied.set(doc.uri.toString(), applied);
  }

  dispose(): void {
    if (this.timer) clearTimeout(this.timer);
    for (const t of this.types.values()) t.dispose();
  }
}
