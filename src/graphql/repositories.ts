import { CustomerRepository } from '../customer/customer-repository.js';
import { DealerRepository } from '../dealer/dealer-repository.js';
import { ReminderRepository } from '../reminder/reminder-repository.js';
import type { Store } from '../store/store.js';
import { VehicleRepository } from '../vehicle/vehicle-repository.js';

export interface Repositories {
  customers: CustomerRepository;
  vehicles: VehicleRepository;
  dealers: DealerRepository;
  reminders: ReminderRepository;
}

export function createRepositories(store: Store): Repositories {
  return {
    customers: new CustomerRepository(store),
    vehicles: new VehicleRepository(store),
    dealers: new DealerRepository(store),
    reminders: new ReminderRepository(store),
  };
}
