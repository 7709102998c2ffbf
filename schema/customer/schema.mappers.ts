// How the types of this schema folder resolve from domain records: `<Type>Mapper` is the
// record a resolver of `<Type>` receives as its parent (read by npm run codegen).
import type { Consent, CustomerRecord } from '../../src/customer/customer.js';

export type CustomerMapper = CustomerRecord;
export type ConsentMapper = Consent;
