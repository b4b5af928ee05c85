import { describe, expect, it } from 'vitest';
import {
  readFlag,
  readOs,
  readWholeNumber,
  SpecProblems,
} from '../../../src/core/workloads/specValidation.js';

const WHERE = 'workload "shop", tier "web"';

describe('spec field readers', () => {
  it('accept the forms the AWS_EC2_Scheduler table and workloads.yaml use', () => {
    const problems = new SpecProblems();

    const read = [
      readWholeNumber(' 10 ', 'TierSequence', WHERE, problems),
      readWholeNumber(3, 'TierSequence', WHERE, problems),
      readWholeNumber('', 'InterTierOrderDelay', WHERE, problems, 0),
      readFlag('True', 'TierSynchronous', WHERE, problems, false),
      readFlag('0', 'TierSynchronous', WHERE, problems, true),
      readFlag(true, 'TierSynchronous', WHERE, problems, false),
      readOs(' windows ', 'TierStopOverrideOperatingSystem', WHERE, problems),
    ];

    expect(read).toEqual([10, 3, 0, true, false, true, 'Windows']);
    expect(problems.list).toEqual([]);
  });

  it('name the workload, tier and field, with what was found, and fall back', () => {
    const problems = new SpecProblems();

    const read = [
      readWholeNumber('-1', 'TierSequence', WHERE, problems),
      readWholeNumber(1.5, 'InterTierOrderDelay', WHERE, problems, 5),
      readWholeNumber(undefined, 'TierSequence', WHERE, problems),
      readFlag('maybe', 'TierSynchronous', WHERE, problems, false),
      readOs('Solaris', 'TierStopOverrideOperatingSystem', WHERE, problems),
    ];

    expect(read).toEqual([0, 5, undefined, false, 'Linux']);
    expect(problems.list).toEqual([
      `${WHERE}: TierSequence must be a whole number of 0 or more; got "-1"`,
      `${WHERE}: InterTierOrderDelay must be a whole number of 0 or more; got 1.5`,
      `${WHERE}: TierSequence is required: a whole number such as "0"`,
      `${WHERE}: TierSynchronous must be "True" or "False" (or "1"/"0"); got "maybe"`,
      `${WHERE}: TierStopOverrideOperatingSystem must be Linux or Windows; got "Solaris"`,
    ]);
  });
});
