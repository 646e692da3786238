/** What each part of the deployment check found: problems fail the check, notes are printed for people. */
export interface SectionResult {
  /** Short title printed as the section's heading. */
  title: string;
  /** Each is one problem that fails the check, phrased so that it says what to fix. */
  errors: string[];
  /** Information printed under the heading (e.g. the per-environment differences). */
  notes: string[];
}

/** Starts an empty section. */
export function section(title: string): SectionResult {
  return { title, errors: [], notes: [] };
}

/** Renders the results as the text `npm run deploy:check` prints. */
export function formatReport(sections: readonly SectionResult[]): string {
  const lines: string[] = [];
  for (const result of sections) {
    lines.push(`${result.errors.length === 0 ? 'ok  ' : 'FAIL'} ${result.title}`);
    for (const note of result.notes) lines.push(`       ${note}`);
    for (const error of result.errors) lines.push(`     ✗ ${error}`);
  }
  const failed = sections.filter((result) => result.errors.length > 0).length;
  lines.push(
    failed === 0
      ? `deploy:check passed (${sections.length} sections)`
      : `deploy:check failed: ${failed} of ${sections.length} sections have problems`,
  );
  return `${lines.join('\n')}\n`;
}
