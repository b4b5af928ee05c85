import { EC2Client, RunInstancesCommand } from '@aws-sdk/client-ec2';
import {
  GetCommandInvocationCommand,
  InvalidInstanceId,
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

describe('SSM override checker', () => {
  it('uses Test-Path through AWS-RunPowerShellScript on Windows and reads empty output as absent', async () => {
    const ssm = new SSMClient(moto.clientConfig);
    const calls = recordCalls(ssm as unknown as EC2Client);
    const ids = await instances(2);

    const result = await new SsmOverrideChecker(() => ssm, { sleep: async () => {} }).check(
      'us-east-1',
      ids,
      {
        filename: "C:\\it's here.txt",
        os: 'Windows',
      },
    );

    expect([...result.values()]).toEqual([{ status: 'absent' }, { status: 'absent' }]);
    expect(calls.find((c) => c.command === 'SendCommandCommand')?.input).toMatchObject({
      DocumentName: 'AWS-RunPowerShellScript',
      InstanceIds: ids,
      Parameters: {
        commands: [
          "if (Test-Path -LiteralPath 'C:\\it''s here.txt') { Write-Output 'LIGHTSOUT_OVERRIDE_PRESENT' } else { Write-Output 'LIGHTSOUT_OVERRIDE_ABSENT' }",
        ],
      },
    });
    expect(calls.filter((c) => c.command === 'GetCommandInvocationCommand')).toHaveLength(2);
  });

  it('quotes a Linux path so the shell cannot expand it', () => {
    expect(overrideScript({ filename: "/tmp/$(reboot)'x", os: 'Linux' }).commands).toEqual([
      "if test -e '/tmp/$(reboot)'\\''x'; then echo LIGHTSOUT_OVERRIDE_PRESENT; else echo LIGHTSOUT_OVERRIDE_ABSENT; fi",
    ]);
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
