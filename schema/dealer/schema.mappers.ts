// How the types of this schema folder resolve from domain records: `<Type>Mapper` is the
// record a resolver of `<Type>` receives as its parent (read by npm run codegen).
import type { DealerRecord } from '../../src/dealer/dealer.js';
import type { ApiKeyRecord } from '../../src/dealer/api-key-record.js';

export type DealerMapper = DealerRecord;
export type DealerApiKeyMapper = ApiKeyRecord;
