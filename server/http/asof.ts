// `?asOf=DATE` on the summary, practice, report and CSV routes (SPEC section 15).
import type { Context } from "hono";
import type { Study } from "../core/study.js";
import { asOfProblem, studyAsOf } from "../core/history.js";

/**
 * The study a request asks for: as of `?asOf=YYYY-MM-DD` when given, else the study itself; `key` is
 * appended to the route's cache key. A bad date is `{error}` (the route answers 400 with it).
 */
export function studyFor(study: Study, c: Context): { study: Study; key: string } | { error: string } {
  const asOf = c.req.query("asOf");
  if (asOf === undefined) return { study, key: "" };
  const problem = asOfProblem(asOf);
  if (problem) return { error: `asOf: ${problem}` };
  return { study: studyAsOf(study, asOf), key: `@${asOf}` };
}
