// Operator accounts (admin): GET/POST /api/users, DELETE /api/users/:username,
// POST /api/users/:username/{reset_password, role, mfa}.
import {
  StatusOkSchema,
  UserListSchema,
  UserSchema,
  type Role,
  type UserCreate,
} from '@borealis/protocol';
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { api } from '../../api/client';

export const USERS_KEY = ['users'] as const;
const userPath = (username: string, action?: string) =>
  `/api/users/${encodeURIComponent(username)}${action ? `/${action}` : ''}`;

export function useUsers() {
  return useQuery({
    queryKey: USERS_KEY,
    queryFn: async () => (await api.get('/api/users', UserListSchema)).users,
  });
}

function useUserMutation<V>(fn: (vars: V) => Promise<unknown>) {
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: fn,
    onSuccess: () => queryClient.invalidateQueries({ queryKey: USERS_KEY }),
  });
}

export function useCreateUser() {
  return useUserMutation((body: UserCreate) => api.post('/api/users', body, UserSchema));
}

export function useDeleteUser() {
  return useUserMutation((username: string) => api.del(userPath(username), StatusOkSchema));
}

export function useResetPassword() {
  return useUserMutation(({ username, password }: { username: string; password: string }) =>
    api.post(userPath(username, 'reset_password'), { password }, StatusOkSchema),
  );
}

export function useSetRole() {
  return useUserMutation(({ username, role }: { username: string; role: Role }) =>
    api.post(userPath(username, 'role'), { role }, UserSchema),
  );
}

export function useSetMfa() {
  return useUserMutation(
    ({ username, ...body }: { username: string; enabled: boolean; reset_secret?: boolean }) =>
      api.post(userPath(username, 'mfa'), body, UserSchema),
  );
}
