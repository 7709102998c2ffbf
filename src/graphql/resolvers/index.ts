import type { Resolvers } from '../__generated__/resolvers-types.js';
import { baseResolvers } from './base.js';
import { customerResolvers } from './customer.js';
import { dealerResolvers } from './dealer.js';
import { reminderResolvers } from './reminder.js';
import { serviceResolvers } from './service.js';
import { valueResolvers } from './value.js';
import { vehicleResolvers } from './vehicle.js';

/** All resolvers, one module per schema domain, merged by type. */
export function mergeResolvers(...modules: Resolvers[]): Resolvers {
  const merged: Record<string, Record<string, unknown>> = {};
  for (const module of modules) {
    for (const [type, fields] of Object.entries(module)) {
      // Scalars are class instances, not field maps: keep them whole.
      if (fields && typeof fields === 'object' && fields.constructor !== Object) {
        merged[type] = fields as Record<string, unknown>;
        continue;
      }
      merged[type] = { ...merged[type], ...(fields as Record<string, unknown>) };
    }
  }
  return merged as Resolvers;
}

export const resolvers = mergeResolvers(baseResolvers, customerResolvers, vehicleResolvers, dealerResolvers, serviceResolvers, reminderResolvers, valueResolvers);
