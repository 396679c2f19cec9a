// The one error of REFI-QDA exchange: a problem with an exchange file or a destination, said in one
// plain line that names the part at fault (a ZIP entry, an XML element and its GUID, a folder).

/** A user-facing problem with a `.qdpx`, `.qde` or `.qdc` (or where it is to be written); `message` is one line. */
export class RefiError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "RefiError";
  }
}
