// How the types of this schema folder resolve from domain records: `<Type>Mapper` is the
// record a resolver of `<Type>` receives as its parent (read by npm run codegen).
import type { ReminderBooking, ReminderItem, ReminderRecord } from '../../src/reminder/reminder.js';

export type MaintenanceReminderMapper = ReminderRecord;
export type ReminderItemMapper = ReminderItem;
export type ServiceBookingMapper = ReminderBooking;
