/**
 * Every relative link in README.md and docs/*.md resolves: the file exists,
 * and a #fragment names a heading of that file (GitHub's heading ids).
 */
import { existsSync, readdirSync } from 'node:fs';
import { dirname, join, relative } from 'node:path';
import { describe, expect, it } from 'vitest';
import { readDoc, repoRoot } from './docTable.js';

const pages = [
  'README.md',
  ...readdirSync(join(repoRoot, 'docs'))
    .filter((f) => f.endsWith('.md'))
    .map((f) => `docs/${f}`),
];

/** Markdown outside code fences and code spans, where links are live. */
function prose(markdown: string): string {
  let inFence = false;
  return markdown
    .split('\n')
    .filter((line) => {
      if (line.trimStart().startsWith('```')) {
        inFence = !inFence;
        return false;
      }
      return !inFence;
    })
    .map((line) => line.replace(/`[^`]*`/g, ''))
    .join('\n');
}

/** GitHub's heading id: lower case, punctuation dropped, spaces to hyphens, repeats numbered. */
function headingIds(markdown: string): Set<string> {
  const ids = new Set<string>();
  const counts = new Map<string, number>();
  for (const m of prose(markdown).matchAll(/^#{1,6}\s+(.+?)\s*#*$/gm)) {
    const base = m[1]!
      .replace(/<[^>]+>/g, '')
      .replace(/\[([^\]]*)\]\([^)]*\)/g, '$1')
      .toLowerCase()
      .replace(/[^\p{L}\p{N}\s_-]/gu, '')
      .replace(/ /g, '-');
    const n = counts.get(base) ?? 0;
    counts.set(base, n + 1);
    ids.add(n === 0 ? base : `${base}-${n}`);
  }
  return ids;
}

/** The headings' ids of a page, with code spans kept (GitHub keeps their text). */
function idsOf(page: string): Set<string> {
  const text = readDoc(page).replace(/`/g, '');
  return headingIds(text);
}

function links(page: string): string[] {
  return [...prose(readDoc(page)).matchAll(/\]\(([^)\s]+)(?:\s+"[^"]*")?\)/g)].map((m) => m[1]!);
}

describe('documentation links', () => {
  it('finds the pages', () => {
    expect(pages).toContain('docs/configuration.md');
    expect(pages.length).toBeGreaterThan(10);
  });

  it.each(pages)('%s: every relative link and anchor resolves', (page) => {
    const broken: string[] = [];
    for (const link of links(page)) {
      if (/^[a-z][a-z0-9+.-]*:/i.test(link)) continue; // https:, mailto: and the like
      const [path, fragment] = link.split('#') as [string, string | undefined];
      const target = path === '' ? page : relative(repoRoot, join(repoRoot, dirname(page), path));
      if (!existsSync(join(repoRoot, target))) {
        broken.push(`${link}: no file ${target}`);
        continue;
      }
      if (fragment && target.endsWith('.md') && !idsOf(target).has(decodeURIComponent(fragment))) {
        broken.push(`${link}: no heading #${fragment} in ${target}`);
      }
    }
    expect(broken).toEqual([]);
  });
});
