// Placeholder until the language server lands (issue 3).
export function runLanguageServer(): void {
  throw new Error("fieldnotes lsp is not available yet.");
}
