// Server facts: GET /api/server/info (admin) and GET /api/server/time.
import { ServerInfoSchema, ServerTimeSchema } from '@borealis/protocol';
import { useQuery } from '@tanstack/react-query';
import { api } from '../../api/client';

export function useServerInfo() {
  return useQuery({
    queryKey: ['server', 'info'],
    queryFn: () => api.get('/api/server/info', ServerInfoSchema),
    refetchInterval: 30_000,
  });
}

export function useServerTime() {
  return useQuery({
    queryKey: ['server', 'time'],
    queryFn: () => api.get('/api/server/time', ServerTimeSchema),
    refetchInterval: 10_000,
  });
}
