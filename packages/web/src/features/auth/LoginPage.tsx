// Sign-in page: username + password (POST /api/auth/login), then the MFA step when the engine
// asks for it. Points to the one-time setup URL while no administrator exists.
import type { MfaRequired, SessionInfo } from '@borealis/protocol';
import { Alert, Button, PasswordInput, Stack, TextInput } from '@mantine/core';
import { useState, type FormEvent } from 'react';
import { Navigate, useLocation, useNavigate } from 'react-router-dom';
import { errorMessage } from '../../api/client';
import { AuthLayout } from './AuthLayout';
import { MfaStep } from './MfaStep';
import { useLogin, useMe, useSetupStatus } from './useSession';

function useReturnPath(): string {
  const location = useLocation();
  const from = (location.state as { from?: string } | null)?.from;
  return from && from.startsWith('/') && !from.startsWith('/login') ? from : '/sites';
}

export function LoginPage() {
  const navigate = useNavigate();
  const returnTo = useReturnPath();
  const me = useMe();
  const setup = useSetupStatus();
  const login = useLogin();
  const [username, setUsername] = useState('');
  const [password, setPassword] = useState('');
  const [challenge, setChallenge] = useState<MfaRequired | null>(null);

  if (me.isSuccess) return <Navigate to={returnTo} replace />;

  const finish = (_session: SessionInfo) => {
    void navigate(returnTo, { replace: true });
  };

  const submit = (e: FormEvent) => {
    e.preventDefault();
    login.mutate(
      { username: username.trim(), password },
      {
        onSuccess: (res) => {
          setPassword('');
          if (res.status === 'ok') finish(res);
          else setChallenge(res);
        },
      },
    );
  };

  if (challenge) {
    return (
      <AuthLayout
        subtitle={challenge.stage === 'setup' ? 'Set up two-factor sign-in' : 'Two-factor sign-in'}
      >
        <MfaStep
          challenge={challenge}
          onDone={finish}
          onCancel={() => {
            setChallenge(null);
            login.reset();
          }}
        />
      </AuthLayout>
    );
  }

  return (
    <AuthLayout subtitle="Remote monitoring & management">
      {setup.data?.setup_required && (
        <Alert color="orange" variant="light" title="No administrator yet">
          Open the one-time setup URL the engine printed at start-up to create the first
          administrator.
        </Alert>
      )}
      <form onSubmit={submit} aria-label="Sign in">
        <Stack gap="md">
          <TextInput
            label="Username"
            autoComplete="username"
            value={username}
            onChange={(e) => setUsername(e.currentTarget.value)}
            required
            autoFocus
          />
          <PasswordInput
            label="Password"
            autoComplete="current-password"
            value={password}
            onChange={(e) => setPassword(e.currentTarget.value)}
            required
          />
          {login.isError && (
            <Alert color="red" variant="light" role="alert" title="Sign-in failed">
              {errorMessage(login.error)}
            </Alert>
          )}
          <Button type="submit" variant="gradient" loading={login.isPending}>
            Sign in
          </Button>
        </Stack>
      </form>
    </AuthLayout>
  );
}
