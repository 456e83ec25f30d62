// The fault-injection table (scenario, operations, lost, duplicated, verdict) with each scenario's
// checks underneath, printed and written to test-results/chaos/ (Markdown and JSON).
import { mkdirSync, writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import type { ScenarioResult } from './scenario.ts';

const RESULTS = fileURLToPath(new URL('../../test-results/chaos/', import.meta.url));

export function table(results: readonly ScenarioResult[]): string {
  const rows = [
    ['scenario', 'operations', 'lost', 'duplicated', 'verdict', 'time'],
    ...results.map((r) => [
      r.scenario,
      String(r.operations),
      String(r.lost),
      String(r.duplicated),
      r.verdict.toUpperCase(),
      `${r.durationS} s`,
    ]),
  ];
  const widths = rows[0]!.map((_, column) => Math.max(...rows.map((row) => row[column]!.length)));
  const line = (row: string[]) => `| ${row.map((cell, i) => cell.padEnd(widths[i]!)).join(' | ')} |`;
  return [
    line(rows[0]!),
    `|${widths.map((w) => '-'.repeat(w + 2)).join('|')}|`,
    ...rows.slice(1).map(line),
  ].join('\n');
}

export function details(results: readonly ScenarioResult[]): string {
  const out: string[] = [];
  for (const result of results) {
    out.push(`\n### ${result.scenario}: ${result.title} — ${result.verdict.toUpperCase()}`);
    for (const check of result.checks)
      out.push(`- [${check.ok ? 'x' : ' '}] ${check.name}${check.detail ? `: ${check.detail}` : ''}`);
    for (const note of result.notes) out.push(`- ${note}`);
    const counts = result.reconciliation?.counts;
    if (counts && Object.keys(counts).length > 0) {
      out.push(
        `- ledger / found: ${Object.entries(counts)
          .map(([kind, c]) => `${kind} ${c.ledger}/${c.found}`)
          .join(', ')}`,
      );
    }
    for (const finding of result.reconciliation?.findings ?? [])
      out.push(`  - ${finding.kind}: ${finding.what}`);
  }
  return out.join('\n');
}

/** Writes the run to test-results/chaos/ and returns the Markdown path. */
export function writeResults(results: readonly ScenarioResult[], options: { quick: boolean }): string {
  mkdirSync(RESULTS, { recursive: true });
  const stamp = new Date().toISOString().replace(/[:.]/g, '-');
  const markdown = [
    `# Fault injection (${options.quick ? 'quick' : 'full'}) — ${new Date().toISOString()}`,
    '',
    table(results),
    details(results),
    '',
  ].join('\n');
  writeFileSync(`${RESULTS}${stamp}.json`, JSON.stringify({ quick: options.quick, results }, null, 2));
  writeFileSync(`${RESULTS}${stamp}.md`, markdown);
  writeFileSync(`${RESULTS}latest.md`, markdown);
  return `${RESULTS}${stamp}.md`;
}
