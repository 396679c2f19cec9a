// Shared data shapes of the notes core. Everything here is plain, serialisable data: facts travel
// between worker threads, into the on-disk cache, and out through the CLI, HTTP and LSP views.

/** LSP position: 0-based line, UTF-16 code unit column. */
export interface Position {
  line: number;
  character: number;
}

/** LSP range, end exclusive. */
export interface Range {
  start: Position;
  end: Position;
}

export type Severity = "error" | "warning" | "information";

export type RuleId =
  | "config-invalid"
  | "codebook-invalid"
  | "codebook-reference"
  | "file-too-large"
  | "file-binary"
  | "file-skipped"
  | "encoding-invalid"
  | "frontmatter-missing"
  | "yaml-syntax"
  | "field-missing"
  | "field-type"
  | "field-unknown"
  | "practice-unknown"
  | "date-invalid"
  | "date-outside-period"
  | "date-future"
  | "npt-unknown"
  | "npt-spelling"
  | "type-unknown"
  | "level-unknown"
  | "assessment-invalid"
  | "code-unknown"
  | "code-deprecated"
  | "identifier-suspected"
  | "body-empty"
  | "participant-unknown"
  | "practice-folder-mismatch"
  | "file-unmatched";

/** Extra data for quick fixes: replace `replaceRange` (default: the diagnostic range) with a suggestion. */
export interface DiagnosticData {
  suggestions?: string[];
  replaceRange?: Range;
  /** For code-unknown: the unknown code id, so "add to codebook" knows what to add. */
  code?: string;
  /** Title of the quick fix for the (single) suggestion, when "Change to …" would not say it. */
  title?: string;
  /**
   * identifier-suspected in a note's facts only: the suspected text, matched against
   * `identifiers.allow`; removed by validation, so it never reaches a view, a log or the verdict cache.
   */
  suspect?: string;
}

export interface Diagnostic {
  rule: RuleId;
  severity: Severity;
  message: string;
  range: Range;
  data?: DiagnosticData;
}

/** A YAML scalar as fieldnotes sees it: its source text (ids compare as source text) and its YAML type. */
export interface ScalarFact {
  kind: "scalar";
  /** String value for strings; the source text for numbers, booleans and nulls. */
  text: string;
  type: "string" | "number" | "boolean" | "null";
  range: Range;
  /** Written in quotes ("…" or '…'). */
  quoted?: boolean;
}

export interface SeqFact {
  kind: "seq";
  items: ValueFact[];
  range: Range;
}

export interface MapFact {
  kind: "map";
  entries: EntryFact[];
  range: Range;
}

/** An alias (`*x`) or anything else fieldnotes never expands. */
export interface OtherFact {
  kind: "alias" | "other";
  range: Range;
  /** A YAML tag fieldnotes does not read (`!!timestamp`, `!!binary`, `!local`), as written; the range then covers tag and value. */
  tag?: string;
  /** The value's source text without its tag, when it is on one line. */
  untagged?: string;
}

export type ValueFact = ScalarFact | SeqFact | MapFact | OtherFact;

export interface EntryFact {
  key: string;
  keyRange: Range;
  /** Absent when the key has no value (`practice:`). */
  value?: ValueFact;
  /** Key start to value end. */
  range: Range;
}

/** One segment (paragraph, heading or table cell) that carries at least one inline code. */
export interface SegmentFact {
  /** 1-based line where the segment starts. */
  line: number;
  /** Source text, trimmed, inline codes kept. */
  text: string;
  /** Distinct inline code ids in the segment, in order of first appearance. */
  codes: string[];
}

export interface CodeUse {
  id: string;
  /** Range of `#id` (inline) or of the list item (frontmatter). */
  range: Range;
  /** Range of the id alone. */
  idRange: Range;
  inline: boolean;
  /** Index into NoteFacts.segments for inline uses. */
  segment: number;
}

/**
 * What one note says, independent of the study's config and codebook: parsed once (in a worker),
 * cached by content hash, then validated against the current config and codebook on every change.
 */
export interface NoteFacts {
  /** Set when the file was not parsed at all (binary, too large, not a regular file). */
  fatal?: boolean;
  /** The opening `---` line (or line 0 when absent): where field-missing points. */
  openRange: Range;
  hasFrontmatter: boolean;
  /** Top-level frontmatter entries; undefined when the frontmatter is absent, invalid or not a mapping. */
  fields?: EntryFact[];
  codes: CodeUse[];
  segments: SegmentFact[];
  /** Config-independent diagnostics (syntax, encoding, identifiers, body-empty, field-type on the whole block). */
  diagnostics: Diagnostic[];
  /** Number of lines in the file, for clients. */
  lineCount: number;
  /** Disable comments (`<!-- fieldnotes-disable… -->`): rules silenced on a line range (0-based, inclusive). */
  suppressions?: { rules: string[]; from: number; to: number }[];
}

export interface Practice {
  id: string;
  name?: string;
  attributes: Record<string, number | boolean | string>;
  /** Range of the id value in fieldnotes.yaml. */
  range: Range;
}

/** A person met in the study (SPEC section 11), by pseudonym, with attributes such as `role`. */
export interface Participant {
  id: string;
  attributes: Record<string, number | boolean | string>;
  /** Range of the id value in fieldnotes.yaml. */
  range: Range;
}

export interface IntegrationRule {
  constructs: string[];
  levels: string[];
}

export interface StudyConfig {
  study: string;
  period?: { start: string; end: string };
  notes: string[];
  ignore: string[];
  codebook: string;
  types: string[];
  practices: Practice[];
  /** The participant registry; empty when the study has none (participants are then free strings). */
  participants: Participant[];
  /** The integration rule; null with `integration: false` (no NPT judgement, SPEC section 11). */
  integration: IntegrationRule | null;
  /** Texts judged not to identify anyone: identifier-suspected never reports them (exact text). */
  identifiers?: { allow: string[] };
}

export interface CodeEntry {
  id: string;
  label?: string;
  description?: string;
  npt?: string;
  parent?: string;
  deprecated: boolean;
  replacedBy?: string;
  /** Range of the id key in codebook.yaml. */
  range: Range;
  /** Ranges of values naming other codes (`parent`, `replacedBy`), for rename. */
  references: { field: "parent" | "replacedBy"; id: string; range: Range }[];
  /** Range of the whole entry (key to end of value). */
  entryRange: Range;
}

export interface Codebook {
  /** Code ids in codebook order. */
  order: string[];
  codes: Map<string, CodeEntry>;
}

export interface FileDiagnostics {
  file: string;
  diagnostics: Diagnostic[];
}

export interface DiagnosticsReport {
  files: FileDiagnostics[];
  counts: { error: number; warning: number; information: number };
}

export interface ConstructSummary {
  notes: number;
  codedSegments: number;
  assessment: string | null;
  assessedOn: string | null;
  assessedIn: string | null;
}

export interface PracticeSummary {
  id: string;
  name?: string;
  attributes: Record<string, number | boolean | string>;
  notes: number;
  firstDate: string | null;
  lastDate: string | null;
  byType: Record<string, number>;
  constructs: Record<string, ConstructSummary>;
  levels: Record<string, number>;
  codes: Record<string, { notes: number; segments: number }>;
  /** null in a study with `integration: false`. */
  integration: "full" | "partial" | "unassessed" | null;
  reasons: string[];
  warnings: string[];
  /** Per core construct with at least one assessment: every assessment, in the order that decides the latest (section 15). */
  history: Record<string, { date: string; assessment: string; file: string }[]>;
  /** The classification as of each of the practice's note dates, only where it changed (section 15). */
  integrationHistory: { date: string; integration: "full" | "partial" | "unassessed" }[];
}

export type AttributeComparison =
  | { mean: number; min: number; max: number }
  | Record<string, number>;

export interface GroupSummary {
  practices: string[];
  attributes: Record<string, AttributeComparison>;
}

export interface Summary {
  study: string;
  generatedAt: string;
  /** null in a study with `integration: false`. */
  rule: IntegrationRule | null;
  totals: { notes: number; included: number; excluded: number; practices: number };
  practices: PracticeSummary[];
  /** `{}` in a study with `integration: false`. */
  groups: { full: GroupSummary; partial: GroupSummary; unassessed: GroupSummary } | Record<string, never>;
  excluded: { file: string; rules: string[] }[];
}

/** A coded segment with its note's metadata (SPEC section 12): the evidence and retrieval shape. */
export interface CodedSegment {
  file: string;
  /** 1-based line where the segment starts. */
  line: number;
  text: string;
  /** Inline codes, in order of first appearance. */
  codes: string[];
  /** Core constructs the codes map to, section 4 order. */
  constructs: string[];
  practice: string;
  date: string;
  type: string | null;
  /** The note's observer as text (a number is given as its source text); null when none. */
  observer: string | null;
  participants: string[];
}

export type Evidence = CodedSegment;

export interface PracticeDetail extends PracticeSummary {
  evidence: Evidence[];
}
