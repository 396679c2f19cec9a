// Plain text as Markdown that reads as the same text (SPEC section 13): every character that could start
// Markdown syntax is backslash-escaped (CommonMark 2.4: any ASCII punctuation may be escaped), so a
// source's `#`, `*`, `_`, `<`, `[`, a leading `-`, `+`, `>` or `1.` stay what they were, and no `#`
// of the source becomes a code.

/** Characters escaped wherever they stand: emphasis, code, links, HTML, entities, tags, tables, escapes. */
const INLINE = /[\\`*_[\]<>&#|~]/g;

/** One line of plain text as a Markdown paragraph's text (trimmed; the caller separates paragraphs). */
export function markdownLine(line: string): string {
  let s = line.trim().replace(INLINE, "\\$&");
  // Block starts a line could still make: list items (- + and 1. or 1) ), thematic breaks and setext
  // underlines (- = _ *), headings (#, already escaped), block quotes (>, escaped), fences (` ~, escaped).
  if (/^[-+=]/.test(s)) s = "\\" + s;
  else {
    const ordered = /^(\d{1,9})([.)])/.exec(s);
    if (ordered) s = `${ordered[1]}\\${ordered[2]}${s.slice(ordered[0].length)}`;
  }
  return s;
}
