// Role checks for hiding actions a role cannot perform (the engine enforces them regardless).
import { ROLE_RANK, type Role } from '@borealis/protocol';

/** True when `role` is at least `required` (Admin > Operator > Viewer). */
export function hasRole(role: Role | undefined, required: Role): boolean {
  if (!role) return false;
  return ROLE_RANK[role] >= ROLE_RANK[required];
}

export const ROLE_COLORS: Record<Role, string> = {
  Admin: 'orchid',
  Operator: 'aurora',
  Viewer: 'gray',
};
