// Assemblies data: GET /api/assemblies, GET /api/assemblies/:guid, GET /:guid/export and
// GET /api/assemblies/dev-mode (viewer); POST /api/assemblies, PUT/DELETE /:guid, POST
// /:guid/clone and POST /api/assemblies/import (operator); POST /api/assemblies/dev-mode/switch
// (admin).
import {
  AssemblyExportSchema,
  AssemblyListSchema,
  AssemblySchema,
  DevModeStatusSchema,
  StatusOkSchema,
  type AssemblyCreate,
  type AssemblyDomain,
  type AssemblyUpdate,
} from '@borealis/protocol';
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { api, ApiError, withQuery } from '../../api/client';

export const ASSEMBLIES_KEY = ['assemblies'] as const;
const LIST_KEY = [...ASSEMBLIES_KEY, 'list'] as const;
const DEV_MODE_KEY = [...ASSEMBLIES_KEY, 'dev-mode'] as const;
export const assemblyKey = (guid: string) => [...ASSEMBLIES_KEY, 'one', guid] as const;
const enc = encodeURIComponent;

/** Every assembly (summaries: no script or file data); pages filter by domain and kind. */
export function useAssemblyList() {
  return useQuery({
    queryKey: LIST_KEY,
    queryFn: async () => (await api.get('/api/assemblies', AssemblyListSchema)).items,
  });
}

export function useAssembly(guid: string | null) {
  return useQuery({
    queryKey: assemblyKey(guid ?? ''),
    queryFn: () => api.get(`/api/assemblies/${enc(guid ?? '')}`, AssemblySchema),
    enabled: guid !== null,
  });
}

function useAssemblyMutation<V, R>(fn: (vars: V) => Promise<R>, silent = false) {
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: fn,
    onSuccess: () => queryClient.invalidateQueries({ queryKey: ASSEMBLIES_KEY }),
    meta: { silent },
  });
}

/** POST (guid null) or PUT; errors are shown by the editor next to the field they name. */
export function useSaveAssembly() {
  return useAssemblyMutation(
    ({ guid, body }: { guid: string | null; body: AssemblyCreate | AssemblyUpdate }) =>
      guid
        ? api.put(`/api/assemblies/${enc(guid)}`, body, AssemblySchema)
        : api.post('/api/assemblies', body, AssemblySchema),
    true,
  );
}

export function useDeleteAssembly() {
  return useAssemblyMutation((guid: string) =>
    api.del(`/api/assemblies/${enc(guid)}`, StatusOkSchema),
  );
}

export function useCloneAssembly() {
  return useAssemblyMutation(({ guid, domain }: { guid: string; domain: AssemblyDomain }) =>
    api.post(`/api/assemblies/${enc(guid)}/clone`, { target_domain: domain }, AssemblySchema),
  );
}

/**
 * Imports a Borealis export or the legacy assembly JSON into `domain`. The document's own guid is
 * kept when free; when it is taken (e.g. re-importing an export) the copy gets a new one.
 */
export function useImportAssembly() {
  return useAssemblyMutation(async ({ doc, domain }: { doc: unknown; domain: AssemblyDomain }) => {
    try {
      return await api.post(withQuery('/api/assemblies/import', { domain }), doc, AssemblySchema);
    } catch (err) {
      if (!(err instanceof ApiError && err.code === 'assembly_exists')) throw err;
      const fresh = withQuery('/api/assemblies/import', {
        domain,
        assembly_guid: crypto.randomUUID(),
      });
      return api.post(fresh, doc, AssemblySchema);
    }
  });
}

export function fetchAssemblyExport(guid: string) {
  return api.get(`/api/assemblies/${enc(guid)}/export`, AssemblyExportSchema);
}

export function useDevMode() {
  return useQuery({
    queryKey: DEV_MODE_KEY,
    queryFn: () => api.get('/api/assemblies/dev-mode', DevModeStatusSchema),
  });
}

export function useSetDevMode() {
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: (enabled: boolean) =>
      api.post('/api/assemblies/dev-mode/switch', { enabled }, DevModeStatusSchema),
    onSuccess: (status) => queryClient.setQueryData(DEV_MODE_KEY, status),
  });
}
