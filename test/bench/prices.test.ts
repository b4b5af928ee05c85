/** The prices bench's figures at a small size: the call count, not the time, is what it shows. */
import { describe, expect, it } from 'vitest';
import { pricesBench } from '../../bench/prices.js';

describe('bench prices', () => {
  it('prices every instance with at most one GetProducts call per key per day', async () => {
    // Act
    const f = await pricesBench(300, 2);

    // Assert: 3 regions × 4 types × 2 OS = 24 keys; the second engine reads the first's answers
    expect(f.keys).toBe(24);
    expect(f.priced).toBe(300);
    expect(f.getProductsCalls).toBe(48);
    expect(f.getProductsCalls).toBeLessThanOrEqual(f.bound);
  });
});
