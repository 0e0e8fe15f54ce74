// Log management (admin): GET /api/server/logs, GET /api/server/logs/:name/entries?limit (polled
// every 2 s for the live tail), PUT /api/server/logs/retention, DELETE /api/server/logs/:name?scope=.
import {
  LogDeleteResultSchema,
  LogEntriesSchema,
  LogListSchema,
  RetentionResultSchema,
} from '@borealis/protocol';
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { api, withQuery } from '../../api/client';

const LOGS_KEY = ['logs'] as const;
export const TAIL_POLL_MS = 2_000;

export function useLogFamilies() {
  return useQuery({
    queryKey: [...LOGS_KEY, 'list'],
    queryFn: () => api.get('/api/server/logs', LogListSchema),
    refetchInterval: 15_000,
  });
}

export function useLogTail(name: string | null, limit: number, paused: boolean) {
  return useQuery({
    queryKey: [...LOGS_KEY, 'entries', name, limit],
    queryFn: () =>
      api.get(
        withQuery(`/api/server/logs/${encodeURIComponent(name ?? '')}/entries`, { limit }),
        LogEntriesSchema,
      ),
    enabled: name !== null,
    refetchInterval: paused ? false : TAIL_POLL_MS,
    staleTime: 0,
  });
}

export interface RetentionInput {
  default_days: number | null;
  overrides: Record<string, number | null>;
}

export function useUpdateRetention() {
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: (body: RetentionInput) =>
      api.put('/api/server/logs/retention', body, RetentionResultSchema),
    onSuccess: () => queryClient.invalidateQueries({ queryKey: LOGS_KEY }),
  });
}

export function useDeleteLog() {
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: ({ name, scope }: { name: string; scope: 'file' | 'family' }) =>
      api.del(
        withQuery(`/api/server/logs/${encodeURIComponent(name)}`, { scope }),
        LogDeleteResultSchema,
      ),
    onSuccess: () => queryClient.invalidateQueries({ queryKey: LOGS_KEY }),
  });
}
