// Set a new password for an operator (POST /api/users/:username/reset_password).
import { ResetPasswordSchema } from '@borealis/protocol';
import { Button, Group, Modal, PasswordInput, Stack } from '@mantine/core';
import { useState, type FormEvent } from 'react';
import { notifySuccess } from '../../app/query-client';
import { validate, type FieldErrors } from '../../lib/validation';
import { useResetPassword } from './useUsers';

interface ResetPasswordModalProps {
  username: string | null;
  onClose: () => void;
}

export function ResetPasswordModal({ username, onClose }: ResetPasswordModalProps) {
  return (
    <Modal
      opened={username !== null}
      onClose={onClose}
      title={`Reset password for ${username ?? ''}`}
    >
      {username && <ResetPasswordForm username={username} onClose={onClose} />}
    </Modal>
  );
}

function ResetPasswordForm({ username, onClose }: { username: string; onClose: () => void }) {
  const reset = useResetPassword();
  const [password, setPassword] = useState('');
  const [confirm, setConfirm] = useState('');
  const [errors, setErrors] = useState<FieldErrors>({});

  const submit = (e: FormEvent) => {
    e.preventDefault();
    const result = validate(ResetPasswordSchema, { password });
    const next: FieldErrors = result.ok ? {} : { ...result.errors };
    if (password !== confirm) next.confirm = 'Passwords do not match';
    setErrors(next);
    if (!result.ok || next.confirm) return;
    reset.mutate(
      { username, password: result.data.password },
      {
        onSuccess: () => {
          notifySuccess(`Password for ${username} changed.`);
          onClose();
        },
      },
    );
  };

  return (
    <form onSubmit={submit} aria-label="Reset password">
      <Stack gap="md">
        <PasswordInput
          label="New password"
          description="At least 12 characters"
          autoComplete="new-password"
          value={password}
          onChange={(e) => setPassword(e.currentTarget.value)}
          error={errors.password}
          required
          data-autofocus
        />
        <PasswordInput
          label="Confirm new password"
          autoComplete="new-password"
          value={confirm}
          onChange={(e) => setConfirm(e.currentTarget.value)}
          error={errors.confirm}
          required
        />
        <Group justify="flex-end">
          <Button variant="default" onClick={onClose}>
            Cancel
          </Button>
          <Button type="submit" variant="gradient" loading={reset.isPending}>
            Set password
          </Button>
        </Group>
      </Stack>
    </form>
  );
}
