// Audit log (admin): GET /api/audit?page&page_size&username&action&outcome, newest first.
import { AuditPageSchema, type AUDIT_OUTCOMES } from '@borealis/protocol';
import { keepPreviousData, useQuery } from '@tanstack/react-query';
import { api, withQuery } from '../../api/client';

export type AuditOutcome = (typeof AUDIT_OUTCOMES)[number];

export interface AuditFilters {
  username: string;
  action: string;
  outcome: AuditOutcome | null;
}

export function useAuditPage(page: number, pageSize: number, filters: AuditFilters) {
  return useQuery({
    queryKey: ['audit', page, pageSize, filters],
    queryFn: () =>
      api.get(
        withQuery('/api/audit', {
          page,
          page_size: pageSize,
          username: filters.username.trim(),
          action: filters.action.trim(),
          outcome: filters.outcome,
        }),
        AuditPageSchema,
      ),
    placeholderData: keepPreviousData,
  });
}
