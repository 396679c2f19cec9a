type Out = { out: (s: string) => void; err: (s: string) => void };
export async function importCommand(_argv: string[], io: Out): Promise<number> {
  io.err("fieldnotes import: not yet\n");
  return 2;
}
