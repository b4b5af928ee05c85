/**
 * Counts the calls moto itself received, through its request recorder, so a
 * test can say "EC2 got exactly one StopInstances" at the peer rather than by
 * counting inside the code under test.
 */
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { MotoServer } from './moto.js';

// moto writes its recording to `moto_recording` in its working directory (the checkout) unless told
// otherwise; moto_server inherits this when useMoto() starts it, after this module is imported.
process.env.MOTO_RECORDER_FILEPATH ??= join(tmpdir(), `lightsout-moto-recording-${process.pid}`);

export async function startRecording(moto: MotoServer): Promise<void> {
  await fetch(`${moto.endpoint}/moto-api/recorder/reset-recording`, { method: 'POST' });
  const res = await fetch(`${moto.endpoint}/moto-api/recorder/start-recording`, { method: 'POST' });
  if (!res.ok) throw new Error(`moto recorder did not start: ${res.status}`);
}

/** The Query-protocol `Action` of every request moto recorded since startRecording. */
export async function recordedActions(moto: MotoServer): Promise<string[]> {
  const res = await fetch(`${moto.endpoint}/moto-api/recorder/download-recording`);
  const lines = (await res.text()).split('\n').filter((l) => l.trim() !== '');
  return lines.map((line) => {
    const entry = JSON.parse(line) as { body?: string; body_encoded?: boolean };
    const body = entry.body_encoded ? Buffer.from(entry.body ?? '', 'base64').toString() : (entry.body ?? '');
    return new URLSearchParams(body).get('Action') ?? '';
  });
}
