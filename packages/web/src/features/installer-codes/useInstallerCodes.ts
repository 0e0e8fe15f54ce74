// Installer codes (admin): GET /api/admin/enrollment-codes?status=, POST to create (TTL 1–24 h,
// max uses 1–10, optional site), DELETE /api/admin/enrollment-codes/:id.
import {
  InstallerCodeListSchema,
  InstallerCodeSchema,
  StatusOkSchema,
  type InstallerCodeStatus,
} from '@borealis/protocol';
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { api, withQuery } from '../../api/client';

export type CodeStatus = InstallerCodeStatus;
const BASE = '/api/admin/enrollment-codes';

export function useInstallerCodes(status: CodeStatus | null) {
  return useQuery({
    queryKey: ['installer-codes', status ?? 'all'],
    queryFn: async () =>
      (await api.get(withQuery(BASE, { status }), InstallerCodeListSchema)).codes,
  });
}

export interface CreateCodeInput {
  ttl_hours: number;
  max_uses: number;
  site_id: string | null;
}

export function useCreateInstallerCode() {
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: (body: CreateCodeInput) => api.post(BASE, body, InstallerCodeSchema),
    onSuccess: () => queryClient.invalidateQueries({ queryKey: ['installer-codes'] }),
  });
}

export function useDeleteInstallerCode() {
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: (id: string) => api.del(`${BASE}/${encodeURIComponent(id)}`, StatusOkSchema),
    onSuccess: () => queryClient.invalidateQueries({ queryKey: ['installer-codes'] }),
  });
}
