import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { EC2Client, RunInstancesCommand } from '@aws-sdk/client-ec2';
import {
  GetCommandInvocationCommand,
  InvalidInstanceId,
  ListCommandsCommand,
  SendCommandCommand,
  SSMClient,
} from '@aws-sdk/client-ssm';
import { mockClient } from 'aws-sdk-client-mock';
import { beforeEach, describe, expect, it } from 'vitest';
import { overrideScript, SsmOverrideChecker } from '../../src/aws/ssmOverrideChecker.js';
import { useMoto } from '../support/moto.js';
import { recordCalls } from '../support/workloadWorld.js';

const moto = useMoto();
beforeEach(() => moto.reset());

async function instances(n: number) {
  const res = await new EC2Client(moto.clientConfig).send(
    new RunInstancesCommand({ ImageId: 'ami-12345678', MinCount: n, MaxCount: n }),
  );
  return (res.Instances ?? []).map((i) => i.InstanceId ?? '');
}

/** The base64 payload of a generated script; the only variable part of its text. */
function payload(commands: string[]): string {
  const quoted = commands.join('\n').match(/'([A-Za-z0-9+/=]*)'/g) ?? [];
  const b64 = quoted.map((q) => q.slice(1, -1)).filter((q) => q.length > 0 && !q.startsWith('LIGHTSOUT'));
  expect(b64).toHaveLength(1);
  return b64[0]!;
}

// Proof of expansion: a shell that ran part of a name as code would create this file.
const EXPANDED = join(tmpdir(), `lightsout-override-expanded-${process.pid}`);
// Names that end a quoted string in one shell or the other, expand, or smuggle a second statement.
const HOSTILE = [
  'C:\\x\u2019; Start-Process calc; \u2019',
  'C:\\x\u2018; Start-Process calc; \u201b',
  'C:\\x\u201a; Remove-Item -Recurse C:\\; \u201a',
  "C:\\it's here.txt",
  `/tmp/$(touch ${EXPANDED})'x`,
  `/tmp/\`touch ${EXPANDED}\`";touch ${EXPANDED};"`,
  '/tmp/ends with newline\n\n',
  `/tmp/$HOME \${IFS} %PATH% \\ \u00e9\u20ac\ud83d\ude00`,
];

describe('SSM override checker', () => {
  it('sends a hostile Windows filename only as base64 data and reads empty output as absent', async () => {
    const ssm = new SSMClient(moto.clientConfig);
    const calls = recordCalls(ssm as unknown as EC2Client);
    const ids = await instances(2);
    const checker = new SsmOverrideChecker(() => ssm, { sleep: async () => {} });

    for (const filename of HOSTILE) {
      const result = await checker.check('us-east-1', ids, { filename, os: 'Windows' });
      expect([...result.values()]).toEqual([{ status: 'absent' }, { status: 'absent' }]);
    }

    // Assert on what moto recorded, not only on what the client meant to send.
    const sent = (await ssm.send(new ListCommandsCommand({}))).Commands ?? [];
    expect(sent).toHaveLength(HOSTILE.length);
    const sentScripts = sent.map((c) => c.Parameters?.commands ?? []);
    const requested = calls.filter((c) => c.command === 'SendCommandCommand').map((c) => c.input);
    expect(requested.every((i) => i.DocumentName === 'AWS-RunPowerShellScript')).toBe(true);
    for (const filename of HOSTILE) {
      const script = sentScripts.find(
        (cmds) => Buffer.from(payload(cmds), 'base64').toString('utf8') === filename,
      );
      expect(script, filename).toBeDefined();
      const text = script!.join('\n');
      expect(text).not.toContain(filename);
      expect(text).not.toMatch(/[\u2018-\u201b]/);
      expect(script).toEqual([
        `$path = [System.Text.Encoding]::UTF8.GetString([System.Convert]::FromBase64String('${payload(script!)}'))`,
        "if (Test-Path -LiteralPath $path) { Write-Output 'LIGHTSOUT_OVERRIDE_PRESENT' } else { Write-Output 'LIGHTSOUT_OVERRIDE_ABSENT' }",
      ]);
    }
    expect(JSON.stringify(requested)).not.toMatch(/Start-Process|touch/);
  });

  it('sends a hostile Linux filename only as base64 data, and the script finds exactly that file', async () => {
    const ssm = new SSMClient(moto.clientConfig);
    const ids = await instances(1);
    const dir = mkdtempSync(join(tmpdir(), 'lightsout-override-'));

    for (const hostile of HOSTILE) {
      // Arrange: a real file whose name is the hostile value (inside a temp dir, '/' kept as a name separator).
      const filename = join(dir, hostile.replaceAll('/', '_').replace(/^_tmp_/, ''));
      writeFileSync(filename, '');
      const { document, commands } = overrideScript({ filename, os: 'Linux' });

      // Act: what SSM would run, run by a real shell; and the same spec through moto.
      const present = execFileSync('sh', ['-c', commands.join('\n')]);
      rmSync(filename);
      const absent = execFileSync('sh', ['-c', commands.join('\n')]);
      await new SsmOverrideChecker(() => ssm, { sleep: async () => {} }).check('us-east-1', ids, {
        filename,
        os: 'Linux',
      });

      // Assert
      expect(document).toBe('AWS-RunShellScript');
      expect(String(present).trim(), hostile).toBe('LIGHTSOUT_OVERRIDE_PRESENT');
      expect(String(absent).trim(), hostile).toBe('LIGHTSOUT_OVERRIDE_ABSENT');
      expect(commands.join('\n')).not.toContain(hostile);
      expect(Buffer.from(payload(commands), 'base64').toString('utf8')).toBe(filename);
    }
    const sent = (await ssm.send(new ListCommandsCommand({}))).Commands ?? [];
    expect(sent).toHaveLength(HOSTILE.length);
    for (const c of sent) {
      const text = (c.Parameters?.commands ?? []).join('\n');
      expect(c.DocumentName).toBe('AWS-RunShellScript');
      expect(HOSTILE.some((h) => text.includes(h))).toBe(false);
    }
    expect(existsSync(EXPANDED)).toBe(false);
    rmSync(dir, { recursive: true });
  });

  it('isolates an instance SSM does not manage and reports it unreachable (fault moto cannot produce)', async () => {
    const ssm = new SSMClient({
      region: 'us-east-1',
      credentials: { accessKeyId: 'a', secretAccessKey: 'b' },
    });
    const mock = mockClient(ssm);
    const invalid = new InvalidInstanceId({ message: 'Instances not in a valid state', $metadata: {} });
    mock.on(SendCommandCommand).callsFake((input: { InstanceIds: string[] }) => {
      if (input.InstanceIds.includes('i-0unmanaged')) throw invalid;
      return { Command: { CommandId: `cmd-${input.InstanceIds.join(',')}` } };
    });
    mock
      .on(GetCommandInvocationCommand)
      .resolves({ Status: 'Success', StandardOutputContent: 'LIGHTSOUT_OVERRIDE_PRESENT\n' });

    const result = await new SsmOverrideChecker(() => ssm, { sleep: async () => {} }).check(
      'us-east-1',
      ['i-0aaa', 'i-0unmanaged'],
      { filename: '/tmp/StopOverride', os: 'Linux' },
    );

    expect(Object.fromEntries(result)).toEqual({
      'i-0aaa': { status: 'present' },
      'i-0unmanaged': {
        status: 'unreachable',
        detail: 'not managed by SSM (agent offline, no instance profile, or not running)',
      },
    });
  });
});
