/** The idle bench, small: its call count is the bound it prints, so the figure at 10,000 means what it says. */
import { describe, expect, it } from 'vitest';
import { idleCheckOnMoto } from '../../bench/idle.js';

describe('idle bench (smoke, 600 instances on moto)', () => {
  it('makes ⌈metrics / 500⌉ GetMetricData calls and judges every instance', async () => {
    const f = await idleCheckOnMoto(600);

    // 600 × CPU, NetworkIn, NetworkOut, plus one GPU series on 2 of the 20 instances with data.
    expect(f.metrics).toBe(1802);
    expect(f.getMetricDataCalls).toBe(4);
    expect(f.bound).toBe(4);
    expect(f.listMetricsCalls).toBe(1);
    expect(f.idle + f.notIdle).toBe(600);
    expect(f.idle).toBe(10);
  });
});
