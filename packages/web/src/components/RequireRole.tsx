// Shows a page only to operators with at least the given role; others get an explanation
// (the engine enforces the same rule on every route).
import type { Role } from '@borealis/protocol';
import { Alert } from '@mantine/core';
import type { ReactNode } from 'react';
import { useMe } from '../features/auth/useSession';
import { hasRole } from '../lib/roles';

export function RequireRole({ role, children }: { role: Role; children: ReactNode }) {
  const { data: me } = useMe();
  if (!hasRole(me?.role, role)) {
    return (
      <Alert color="orange" variant="light" title="Not available for your role" maw={560}>
        This page needs the {role} role. Ask an administrator if you need access.
      </Alert>
    );
  }
  return <>{children}</>;
}
