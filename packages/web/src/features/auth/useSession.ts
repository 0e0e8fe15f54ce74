// Session hooks: who is signed in (GET /api/auth/me), login + MFA verify, logout, and the
// first-admin setup (GET/POST /api/auth/setup). Keeps the CSRF token in the API client in sync.
import {
  LoginResponseSchema,
  MeSchema,
  SessionInfoSchema,
  SetupStatusSchema,
  StatusOkSchema,
  UserSchema,
  type LoginRequest,
  type Me,
  type SessionInfo,
} from '@borealis/protocol';
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { useNavigate } from 'react-router-dom';
import { api, setCsrfToken } from '../../api/client';

export const ME_KEY = ['auth', 'me'] as const;

export function useMe() {
  return useQuery({
    queryKey: ME_KEY,
    queryFn: async (): Promise<Me> => {
      const me = await api.get('/api/auth/me', MeSchema);
      setCsrfToken(me.csrf_token);
      return me;
    },
    retry: false,
    staleTime: 60_000,
    meta: { silent: true },
  });
}

/** Stores a fresh session (after login or MFA verify) as the current `me`. */
function useAdoptSession() {
  const queryClient = useQueryClient();
  return (session: SessionInfo) => {
    setCsrfToken(session.csrf_token);
    const me: Me = {
      username: session.username,
      display_name: session.display_name,
      role: session.role,
      auth: 'session',
      csrf_token: session.csrf_token,
    };
    queryClient.setQueryData(ME_KEY, me);
  };
}

export function useLogin() {
  const adopt = useAdoptSession();
  return useMutation({
    mutationFn: (body: LoginRequest) => api.post('/api/auth/login', body, LoginResponseSchema),
    onSuccess: (res) => {
      if (res.status === 'ok') adopt(res);
    },
    meta: { silent: true },
  });
}

export function useMfaVerify() {
  const adopt = useAdoptSession();
  return useMutation({
    mutationFn: (body: { pending_token: string; code: string }) =>
      api.post('/api/auth/mfa/verify', body, SessionInfoSchema),
    onSuccess: adopt,
    meta: { silent: true },
  });
}

/** Ends the session, forgets everything cached for it, and returns to /login (even if offline). */
export function useLogout() {
  const queryClient = useQueryClient();
  const navigate = useNavigate();
  return useMutation({
    mutationFn: () => api.post('/api/auth/logout', undefined, StatusOkSchema),
    onSettled: () => {
      setCsrfToken(null);
      queryClient.removeQueries();
      void navigate('/login', { replace: true });
    },
    meta: { silent: true },
  });
}

export function useSetupStatus() {
  return useQuery({
    queryKey: ['auth', 'setup'],
    queryFn: () => api.get('/api/auth/setup', SetupStatusSchema),
    retry: false,
    meta: { silent: true },
  });
}

export function useSetup() {
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: (body: {
      token: string;
      username: string;
      display_name?: string;
      password: string;
    }) => api.post('/api/auth/setup', body, UserSchema),
    onSuccess: () => queryClient.invalidateQueries({ queryKey: ['auth'] }),
    meta: { silent: true },
  });
}
