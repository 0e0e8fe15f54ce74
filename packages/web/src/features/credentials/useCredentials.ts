// Credentials store data (admin): GET /api/credentials (never any secret), POST /api/credentials,
// PUT /api/credentials/:id (the secret is replaced only when sent) and DELETE /api/credentials/:id.
import {
  CredentialListSchema,
  CredentialSchema,
  StatusOkSchema,
  type CredentialCreate,
  type CredentialUpdate,
} from '@borealis/protocol';
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { api } from '../../api/client';

export const CREDENTIALS_KEY = ['credentials'] as const;
const enc = encodeURIComponent;

/** Only admins may list credentials: pass `enabled: false` for other roles. */
export function useCredentials(enabled = true) {
  return useQuery({
    queryKey: CREDENTIALS_KEY,
    queryFn: async () => (await api.get('/api/credentials', CredentialListSchema)).credentials,
    enabled,
  });
}

export function useSaveCredential() {
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: (
      v: { id: null; body: CredentialCreate } | { id: string; body: CredentialUpdate },
    ) =>
      v.id === null
        ? api.post('/api/credentials', v.body, CredentialSchema)
        : api.put(`/api/credentials/${enc(v.id)}`, v.body, CredentialSchema),
    onSuccess: () => queryClient.invalidateQueries({ queryKey: CREDENTIALS_KEY }),
    // The form shows the error next to the field it names.
    meta: { silent: true },
  });
}

export function useDeleteCredential() {
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: (id: string) => api.del(`/api/credentials/${enc(id)}`, StatusOkSchema),
    onSuccess: () => queryClient.invalidateQueries({ queryKey: CREDENTIALS_KEY }),
  });
}
