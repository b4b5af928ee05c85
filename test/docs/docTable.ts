/**
 * Reads the Markdown tables of the docs so tests can hold them against the
 * code. Deliberately small: pipe tables with one header row, `|` inside
 * backticks escaped as `\|` as GitHub requires.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';

export const repoRoot = join(import.meta.dirname, '..', '..');

export function readDoc(relativePath: string): string {
  return readFileSync(join(repoRoot, relativePath), 'utf8');
}

/** Rows of every pipe table in `markdown`, each as its trimmed cells (header and rule rows left out). */
export function tableRows(markdown: string): string[][] {
  const rows: string[][] = [];
  let inFence = false;
  let previousWasRow = false;
  for (const line of markdown.split('\n')) {
    if (line.startsWith('```')) inFence = !inFence;
    const isRow = !inFence && line.trimStart().startsWith('|');
    if (isRow) {
      const cells = line
        .trim()
        .replace(/^\||\|$/g, '')
        .split(/(?<!\\)\|/)
        .map((c) => c.trim());
      const isRule = cells.every((c) => /^:?-+:?$/.test(c));
      // The first row of a table is its header; the rule row follows it.
      if (previousWasRow && !isRule) rows.push(cells);
    }
    previousWasRow = isRow;
  }
  return rows;
}

/** The code spans of a cell, e.g. "`a` / `b`" gives ["a", "b"]. */
export function codeSpans(cell: string): string[] {
  return [...cell.matchAll(/`([^`]+)`/g)].map((m) => m[1]!);
}
