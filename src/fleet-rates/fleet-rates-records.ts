import { joinKey } from '../store/key-part.js';
import type { Key } from '../store/table.js';

/** The fleet's learned rates: one current item plus an immutable item per version (what a plan was computed with can be looked up). */
const FLEETRATES = 'FLEETRATES';

export const fleetRatesKeys = {
  current: (): Key => ({ PK: FLEETRATES, SK: 'CURRENT' }),
  version: (version: number): Key => ({ PK: FLEETRATES, SK: joinKey('VERSION', String(version).padStart(6, '0')) }),
};
