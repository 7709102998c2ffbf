import { CustomerRepository } from '../customer/customer-repository.js';
import { DealerRepository } from '../dealer/dealer-repository.js';
import { ReminderRepository } from '../reminder/reminder-repository.js';
import { FactRepository } from '../value/fact-repository.js';
import { ValueRepository } from '../value/value-repository.js';
import type { Store } from '../store/store.js';
import { VehicleRepository } from '../vehicle/vehicle-repository.js';

export interface Repositories {
  customers: CustomerRepository;
  vehicles: VehicleRepository;
  dealers: DealerRepository;
  reminders: ReminderRepository;
  facts: FactRepository;
  values: ValueRepository;
}

export function createRepositories(store: Store): Repositories {
  return {
    customers: new CustomerRepository(store),
    vehicles: new VehicleRepository(store),
    dealers: new DealerRepository(store),
    reminders: new ReminderRepository(store),
    facts: new FactRepository(store),
    values: new ValueRepository(store),
  };
}
