// First-administrator setup (POST /api/auth/setup). The one-time token comes from the URL
// fragment of the setup link the engine prints (`/setup#token=…`), so it never reaches a log.
import { SetupRequestSchema } from '@borealis/protocol';
import { Alert, Anchor, Button, Loader, PasswordInput, Stack, TextInput } from '@mantine/core';
import { useState, type FormEvent } from 'react';
import { Link, useNavigate } from 'react-router-dom';
import { errorMessage } from '../../api/client';
import { notifySuccess } from '../../app/query-client';
import { validate, type FieldErrors } from '../../lib/validation';
import { AuthLayout } from './AuthLayout';
import { useSetup, useSetupStatus } from './useSession';

function tokenFromFragment(): string {
  const params = new URLSearchParams(window.location.hash.replace(/^#/, ''));
  return params.get('token') ?? '';
}

export function SetupPage() {
  const navigate = useNavigate();
  const status = useSetupStatus();
  const setup = useSetup();
  const [token] = useState(tokenFromFragment);
  const [form, setForm] = useState({ username: '', display_name: '', password: '', confirm: '' });
  const [errors, setErrors] = useState<FieldErrors>({});

  const field = (key: keyof typeof form) => ({
    value: form[key],
    error: errors[key],
    onChange: (e: { currentTarget: { value: string } }) => {
      const value = e.currentTarget.value;
      setForm((f) => ({ ...f, [key]: value }));
    },
  });

  const submit = (e: FormEvent) => {
    e.preventDefault();
    const display = form.display_name.trim();
    const result = validate(SetupRequestSchema, {
      token,
      username: form.username.trim(),
      password: form.password,
      ...(display ? { display_name: display } : {}),
    });
    const nextErrors: FieldErrors = result.ok ? {} : { ...result.errors };
    if (form.password !== form.confirm) nextErrors.confirm = 'Passwords do not match';
    setErrors(nextErrors);
    if (!result.ok || nextErrors.confirm) return;
    setup.mutate(result.data, {
      onSuccess: () => {
        notifySuccess('Administrator created. Sign in to continue.');
        void navigate('/login', { replace: true });
      },
    });
  };

  if (status.isPending) {
    return (
      <AuthLayout subtitle="First-time setup">
        <Loader mx="auto" aria-label="Loading" />
      </AuthLayout>
    );
  }
  if (status.data && !status.data.setup_required) {
    return (
      <AuthLayout subtitle="First-time setup">
        <Alert color="green" variant="light" title="Setup is complete">
          An administrator already exists.{' '}
          <Anchor component={Link} to="/login">
            Sign in
          </Anchor>
          .
        </Alert>
      </AuthLayout>
    );
  }

  return (
    <AuthLayout subtitle="Create the first administrator">
      {!token && (
        <Alert color="orange" variant="light" title="Setup token missing">
          Open the complete setup URL printed by the engine; it ends with #token=….
        </Alert>
      )}
      {errors.token && <Alert color="red">{errors.token}</Alert>}
      <form onSubmit={submit} aria-label="Create administrator">
        <Stack gap="md">
          <TextInput label="Username" autoComplete="username" required {...field('username')} />
          <TextInput label="Display name" autoComplete="name" {...field('display_name')} />
          <PasswordInput
            label="Password"
            description="At least 12 characters"
            autoComplete="new-password"
            required
            {...field('password')}
          />
          <PasswordInput
            label="Confirm password"
            autoComplete="new-password"
            required
            {...field('confirm')}
          />
          {setup.isError && (
            <Alert color="red" variant="light" role="alert" title="Setup failed">
              {errorMessage(setup.error)}
            </Alert>
          )}
          <Button type="submit" variant="gradient" loading={setup.isPending} disabled={!token}>
            Create administrator
          </Button>
        </Stack>
      </form>
    </AuthLayout>
  );
}
