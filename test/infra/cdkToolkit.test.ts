import { describe, expect, it } from 'vitest';
import { parseToolkitArgs } from '../../infra/scripts/cdkToolkit.js';

describe('parseToolkitArgs', () => {
  it('reads the command, -c context values (which may contain =) and --force', () => {
    // Act
    const args = parseToolkitArgs([
      'destroy',
      '-c',
      'regions=eu-west-1,us-east-1',
      '--context',
      'x=a=b',
      '--force',
    ]);

    // Assert
    expect(args).toEqual({
      command: 'destroy',
      context: { regions: 'eu-west-1,us-east-1', x: 'a=b' },
      force: true,
    });
  });

  it('names the problem and the usage for an unknown command or argument', () => {
    expect(() => parseToolkitArgs(['deploi'])).toThrow(
      /unknown command "deploi"; usage: cdkToolkit.ts bootstrap\|deploy\|destroy/,
    );
    expect(() => parseToolkitArgs(['deploy', '--all'])).toThrow(/unexpected argument "--all"/);
    expect(() => parseToolkitArgs(['deploy', '-c', 'novalue'])).toThrow(/unexpected argument "-c"/);
  });
});
