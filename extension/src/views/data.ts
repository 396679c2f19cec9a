// The language server's workbench requests (SPEC section 10) as the views use them: one place that
// knows the request names and the shapes they answer with.
import * as vscode from "vscode";
import type { LanguageClient } from "vscode-languageclient/node";

// The shapes are the core's own (type-only imports: nothing of the core is bundled for them).
export type { CodeUsage as CodeRow } from "../../../server/core/codeusage.js";
export type { CodedSegment as SegmentRow } from "../../../server/core/types.js";
import type { CodeUsage as CodeRow } from "../../../server/core/codeusage.js";
import type { CodedSegment as SegmentRow } from "../../../server/core/types.js";

export interface ConstructRow {
  notes: number;
  codedSegments: number;
  assessment: string | null;
  assessedOn: string | null;
  assessedIn: string | null;
}

export interface PracticeRow {
  id: string;
  name?: string;
  notes: number;
  constructs: Record<string, ConstructRow>;
  integration: "full" | "partial" | "unassessed" | null;
  reasons: string[];
  warnings: string[];
}

export interface SummaryData {
  study: string;
  rule: { constructs: string[]; levels: string[] } | null;
  practices: PracticeRow[];
}

export interface NoteMark {
  line: number;
  endLine: number;
  codes: string[];
  constructs: string[];
}

/** A retrieval: the filters of SPEC section 12.1, each a list of values (OR), different names AND. */
export type Filters = Record<string, string[]>;

export class WorkbenchData {
  constructor(private readonly client: () => LanguageClient | undefined) {}

  private async request<T>(method: string, params: object): Promise<T | undefined> {
    const c = this.client();
    if (!c || !c.isRunning()) return undefined;
    return c.sendRequest<T>(method, params);
  }

  codes(root: string): Promise<{ codes: CodeRow[] } | undefined> {
    return this.request("fieldnotes/codes", { uri: vscode.Uri.file(root).toString() });
  }

  summary(root: string, asOf?: string): Promise<SummaryData | undefined> {
    return this.request("fieldnotes/summary", { uri: vscode.Uri.file(root).toString(), ...(asOf ? { asOf } : {}) });
  }

  segments(root: string, filters: Filters, limit = 1000): Promise<{ total: number; segments: SegmentRow[] } | undefined> {
    return this.request("fieldnotes/segments", { uri: vscode.Uri.file(root).toString(), filters, limit });
  }

  noteMarks(uri: vscode.Uri): Promise<{ segments: NoteMark[] } | undefined> {
    return this.request("fieldnotes/noteSegments", { uri: uri.toString() });
  }
}

