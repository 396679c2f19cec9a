// Where the facts cache may live: `<study>/.fieldnotes/cache/`, and only as real folders. The cache holds
// note text, so it is never read or written through a symbolic link (which could put confidential text
// anywhere on the machine, or read someone else's file as ours). Issue 9, section 7.
import { lstatSync } from "node:fs";
import { join } from "node:path";

/** The cache's places that must not be links, root-relative. */
const CACHE_PLACES: [string, "folder" | "file"][] = [
  [".fieldnotes", "folder"],
  [".fieldnotes/cache", "folder"],
  [".fieldnotes/.gitignore", "file"],
  [".fieldnotes/cache/index", "file"],
];

/**
 * Why the cache of the study at `root` must not be used (one line for the user), or undefined when it
 * may: `.fieldnotes`, `.fieldnotes/cache` or a cache file is a symbolic link, or not a folder (not a regular
 * file) where one belongs.
 */
export function cacheRefusal(root: string): string | undefined {
  for (const [place, kind] of CACHE_PLACES) {
    let st;
    try {
      st = lstatSync(join(root, place));
    } catch {
      continue; // absent (it is created as a real folder when needed)
    }
    if (st.isSymbolicLink()) {
      return `fieldnotes: warning: '${place}' is a symbolic link; the cache (which holds note text) is not used, so that nothing is written outside the study. Remove the link to use the cache again.`;
    }
    // A pipe in place of the cache file would block the read forever; a file in place of a folder is no cache.
    if (kind === "folder" ? !st.isDirectory() : !st.isFile()) {
      return `fieldnotes: warning: '${place}' is not a ${kind === "folder" ? "folder" : "regular file"}; the cache is not used. Remove it to use the cache again.`;
    }
  }
  return undefined;
}
