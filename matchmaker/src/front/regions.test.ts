import { ErrorCode } from '@playgap/protocol';
import { describe, expect, it } from 'vitest';
import { RegionDirectory } from '../regions/region-directory.js';
import { checkRegions } from './regions.js';

const listing = (cities: string[]) =>
  new RegionDirectory({
    source: {
      listBeacons: async () => ({
        beacons: cities.map((city, i) => ({
          host: '127.0.0.1',
          pingUrl: `http://127.0.0.1:${4000 + i}/ping`,
          location: { city },
        })),
      }),
    },
    ttlMs: 60_000,
  });

describe('checkRegions', () => {
  it('refuses ids the region list does not have with UNKNOWN_REGION', async () => {
    const regions = listing(['Tokyo', 'Montreal']);
    await expect(checkRegions({ tokyo: 10, montreal: 90 }, regions)).resolves.toBeUndefined();
    await expect(checkRegions({ tokyo: 10, atlantis: 1 }, regions)).rejects.toMatchObject({
      code: ErrorCode.UNKNOWN_REGION,
      message: expect.stringContaining('atlantis'),
    });
  });

  it('checks nothing without a list: no Edgegap client here, or none fetched yet', async () => {
    await expect(checkRegions({ atlantis: 1 }, undefined)).resolves.toBeUndefined();
    const down = new RegionDirectory({
      source: {
        listBeacons: async () => {
          throw new Error('Edgegap unreachable');
        },
      },
      ttlMs: 60_000,
    });
    await expect(checkRegions({ atlantis: 1 }, down)).resolves.toBeUndefined();
  });
});
