// API keys for scripts and the CLI (admin): GET/POST /api/api_keys, DELETE /api/api_keys/:id.
// The secret key is returned once, by the create call, and only its hash is stored.
import {
  ApiKeyCreatedSchema,
  ApiKeyListSchema,
  StatusOkSchema,
  type Role,
} from '@borealis/protocol';
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { api } from '../../api/client';

const KEY = ['api-keys'] as const;

export function useApiKeys() {
  return useQuery({
    queryKey: KEY,
    queryFn: async () => (await api.get('/api/api_keys', ApiKeyListSchema)).api_keys,
  });
}

export function useCreateApiKey() {
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: (body: { name: string; role: Role }) =>
      api.post('/api/api_keys', body, ApiKeyCreatedSchema),
    onSuccess: () => queryClient.invalidateQueries({ queryKey: KEY }),
  });
}

export function useDeleteApiKey() {
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: (id: string) => api.del(`/api/api_keys/${encodeURIComponent(id)}`, StatusOkSchema),
    onSuccess: () => queryClient.invalidateQueries({ queryKey: KEY }),
  });
}
