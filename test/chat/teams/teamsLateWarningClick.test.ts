/**
 * A click handed on (Lambda's teamsMessages hands every click off; the single
 * process when the answer is late) finishes through `finishClick`. Cancel or
 * +1h pressed under a warning reply must turn that reply into what was done,
 * not into a second copy of the nag card; refused, the reply keeps its
 * buttons and the clicker is told privately. Gateway calls are recorded.
 */
import { describe, expect, it } from 'vitest';
import type { ActionResult } from '../../../src/chat/core/actionPipeline.js';
import { finishClick, type LateGateway } from '../../../src/chat/teams/teamsLateWork.js';
import type { InstanceRecord } from '../../../src/core/instance.js';
import { nagMessageFromRecord } from '../../../src/core/message/nagMessage.js';
import { createLogger } from '../../../src/log.js';
import { execute } from './activities.js';

const now = new Date('2026-12-02T18:50:00.000Z');
const record: InstanceRecord = {
  region: 'us-east-1',
  instanceId: 'i-0123456789abcdef0',
  launchTime: '2026-12-02T08:00:00.000Z',
  state: 'running',
  stateChangedAt: '2026-12-02T08:00:00.000Z',
  tags: {},
  name: 'render-1',
  group: 'web',
  thresholdSeconds: 3600,
  renotifySeconds: 3600,
  extensionSeconds: 0,
  nagCount: 1,
  warnings: [],
  chatRefs: [],
  version: 1,
};

function recordingGateway() {
  const calls: { method: string; args: unknown[] }[] = [];
  const gateway: LateGateway = {
    sendToConversation: async (...args) => void calls.push({ method: 'sendToConversation', args }),
    updateActivity: async (...args) => void calls.push({ method: 'updateActivity', args }),
    notifyPrivately: async (...args) => void calls.push({ method: 'notifyPrivately', args }),
  };
  return { gateway, calls };
}

const warningClick = execute('https://connector.example/', 'reply-1', {
  verb: 'lightsout.postponeStop',
  data: { token: 'lo1|us-east-1|i-0123456789abcdef0|2026-12-02T08:00:00.000Z|web', warningReply: true },
});

describe('a late Cancel or +1h under a warning reply', () => {
  it('rewrites the reply as what was done, without buttons or the nag card', async () => {
    const { gateway, calls } = recordingGateway();
    const result: ActionResult = {
      status: 'done',
      notice: 'Postponed to 20:00 by @bo: render-1 (i-0123456789abcdef0).',
      message: nagMessageFromRecord(record, now),
      updatedRefs: [],
    };

    await finishClick(gateway, warningClick, result, createLogger('test', 'ERROR'));

    expect(calls.map((c) => c.method)).toEqual(['updateActivity']);
    const sent = JSON.stringify(calls[0]!.args);
    expect(sent).toContain('"messageId":"reply-1"');
    expect(sent).toContain('Postponed to 20:00 by @bo');
    expect(sent).not.toContain('Action.Execute');
    expect(sent).not.toContain('FactSet');
  });

  it('leaves the reply and its buttons alone when refused, and tells the clicker', async () => {
    const { gateway, calls } = recordingGateway();
    const result: ActionResult = {
      status: 'refused',
      notice: 'No stop at a time is scheduled for this run.',
      message: nagMessageFromRecord(record, now),
      updatedRefs: [],
    };

    await finishClick(gateway, warningClick, result, createLogger('test', 'ERROR'));

    expect(calls.map((c) => c.method)).toEqual(['notifyPrivately']);
    expect(JSON.stringify(calls[0]!.args)).toContain('No stop at a time is scheduled');
  });
});
