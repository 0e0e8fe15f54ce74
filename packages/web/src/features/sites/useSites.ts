// Sites data: GET /api/sites (viewer); POST /api/sites, PUT /api/sites/:id,
// POST /api/sites/delete, /api/sites/rotate_code and /api/sites/:id/auto_approve (admin).
import { SiteDeleteResultSchema, SiteListSchema, SiteSchema } from '@borealis/protocol';
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { api } from '../../api/client';

export const SITES_KEY = ['sites'] as const;

export function useSites() {
  return useQuery({
    queryKey: SITES_KEY,
    queryFn: async () => (await api.get('/api/sites', SiteListSchema)).sites,
  });
}

function useSiteMutation<V>(fn: (vars: V) => Promise<unknown>) {
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: fn,
    onSuccess: () => queryClient.invalidateQueries({ queryKey: SITES_KEY }),
  });
}

export function useCreateSite() {
  return useSiteMutation((body: { name: string; description: string }) =>
    api.post('/api/sites', body, SiteSchema),
  );
}

export function useUpdateSite() {
  return useSiteMutation(({ id, ...body }: { id: string; name: string; description: string }) =>
    api.put(`/api/sites/${encodeURIComponent(id)}`, body, SiteSchema),
  );
}

export function useDeleteSites() {
  return useSiteMutation((ids: string[]) =>
    api.post('/api/sites/delete', { ids }, SiteDeleteResultSchema),
  );
}

export function useRotateSiteCode() {
  return useSiteMutation((siteId: string) =>
    api.post('/api/sites/rotate_code', { site_id: siteId }, SiteSchema),
  );
}

export function useSetAutoApprove() {
  return useSiteMutation(({ siteId, enabled }: { siteId: string; enabled: boolean }) =>
    api.post(`/api/sites/${encodeURIComponent(siteId)}/auto_approve`, { enabled }, SiteSchema),
  );
}
