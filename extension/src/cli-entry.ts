// Entry of the bundled CLI (extension/dist/cli.js) that the extension spawns for the summary server.
import { main } from "../../server/cli/main.js";

main(process.argv.slice(2)).then(
  (code) => {
    if (typeof code === "number") process.exitCode = code;
  },
  (err: unknown) => {
    console.error(`fieldnotes: internal error: ${err instanceof Error && err.stack ? err.stack : String(err)}`);
    process.exitCode = 2;
  },
);
