// How the types of this schema folder resolve from domain records: `<Type>Mapper` is the
// record a resolver of `<Type>` receives as its parent (read by npm run codegen).
import type { Money } from '../../src/shared/money.js';
import type { Principal } from '../../src/auth/principal.js';

export type MoneyMapper = Money;
export type ViewerMapper = Principal;
