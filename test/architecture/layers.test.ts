import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { checkLayers, importSpecifiers, type SourceFile } from '../support/layerRules.js';

const ROOT = path.resolve(import.meta.dirname, '../..');

function sourceTree(): SourceFile[] {
  return readdirSync(path.join(ROOT, 'src'), { recursive: true, encoding: 'utf8' })
    .filter((f) => f.endsWith('.ts'))
    .map((f) => {
      const rel = path.posix.join('src', f.split(path.sep).join('/'));
      return { path: rel, text: readFileSync(path.join(ROOT, rel), 'utf8') };
    });
}

describe('the dependency rule', () => {
  it('holds for every file under src/', () => {
    // Arrange
    const files = sourceTree();
    const relativeImports = files.flatMap((f) => importSpecifiers(f.text).filter((s) => s.startsWith('.')));

    // Act
    const violations = checkLayers(files);

    // Assert: the tree was really read, and nothing in it breaks the rule
    expect(files.length).toBeGreaterThan(100);
    expect(relativeImports.length).toBeGreaterThan(500);
    expect(violations).toEqual([]);
  });

  it.each([
    [
      'src/core/leak.ts',
      "import { Ec2Fleet } from '../aws/ec2Fleet.js';",
      'core imports nothing of ours outside core',
    ],
    [
      'src/core/workloads/leak.ts',
      "import type { Log } from '../../log.js';",
      'core imports nothing of ours outside core',
    ],
    [
      'src/ports/leak.ts',
      "import type { NagMessage } from '../chat/core/commandService.js';",
      'ports import only core',
    ],
    [
      'src/services/monitor/leak.ts',
      "export { awsMonitorDeps } from '../../wiring/awsMonitor.js';",
      'adapters and services never import runtimes',
    ],
    [
      'src/sqlite/leak.ts',
      "const m = await import('../local/main.js');",
      'adapters and services never import runtimes',
    ],
    [
      'src/aws/leak.ts',
      "import {\n  monitorAtColdStart,\n} from '../lambda/monitorColdStart.js';",
      'adapters and services never import runtimes',
    ],
    [
      'src/chat/slack/leak.ts',
      "import { DynamoInstanceStore } from '../../aws/dynamodb/instanceStore.js';",
      'chat code never imports AWS or SQLite adapters',
    ],
    [
      'src/chat/teams/leak.ts',
      "import '../../sqlite/database.js';",
      'chat code never imports AWS or SQLite adapters',
    ],
    [
      'src/chat/core/leak.ts',
      "import { type Database } from '../../sqlite/database.js';",
      'chat code never imports AWS or SQLite adapters',
    ],
  ])('fails when %s adds a forbidden import', (file, source, rule) => {
    // Arrange: the real tree plus one file that breaks the rule
    const files = [...sourceTree(), { path: file, text: `${source}\nexport const x = 1;\n` }];

    // Act
    const violations = checkLayers(files);

    // Assert
    expect(violations).toHaveLength(1);
    expect(violations[0]).toMatchObject({ rule, file });
  });

  it('ignores imports of packages and imports inside comments', () => {
    const text = [
      "import { z } from 'zod';",
      "// import { Ec2Fleet } from '../aws/ec2Fleet.js';",
      "/* import '../lambda/nagDue.js'; */",
      "const url = 'https://example.com/from/../aws';",
      "import { formatDuration } from './duration.js';",
    ].join('\n');

    expect(importSpecifiers(text)).toEqual(['zod', './duration.js']);
    expect(checkLayers([{ path: 'src/core/example.ts', text }])).toEqual([]);
  });
});
