// Create an operator account: username, display name, initial password and role.
import { ROLES, UserCreateSchema, type Role } from '@borealis/protocol';
import { Button, Group, Modal, PasswordInput, Select, Stack, TextInput } from '@mantine/core';
import { useState, type FormEvent } from 'react';
import { notifySuccess } from '../../app/query-client';
import { validate, type FieldErrors } from '../../lib/validation';
import { useCreateUser } from './useUsers';

export function CreateUserModal({ opened, onClose }: { opened: boolean; onClose: () => void }) {
  return (
    <Modal opened={opened} onClose={onClose} title="New user">
      <CreateUserForm onClose={onClose} />
    </Modal>
  );
}

function CreateUserForm({ onClose }: { onClose: () => void }) {
  const create = useCreateUser();
  const [username, setUsername] = useState('');
  const [displayName, setDisplayName] = useState('');
  const [password, setPassword] = useState('');
  const [role, setRole] = useState<Role>('Viewer');
  const [errors, setErrors] = useState<FieldErrors>({});

  const submit = (e: FormEvent) => {
    e.preventDefault();
    const display = displayName.trim();
    const result = validate(UserCreateSchema, {
      username: username.trim(),
      password,
      role,
      ...(display ? { display_name: display } : {}),
    });
    if (!result.ok) {
      setErrors(result.errors);
      return;
    }
    setErrors({});
    create.mutate(result.data, {
      onSuccess: () => {
        notifySuccess(`User ${result.data.username} created.`);
        onClose();
      },
    });
  };

  return (
    <form onSubmit={submit} aria-label="Create user">
      <Stack gap="md">
        <TextInput
          label="Username"
          autoComplete="off"
          value={username}
          onChange={(e) => setUsername(e.currentTarget.value)}
          error={errors.username}
          required
          data-autofocus
        />
        <TextInput
          label="Display name"
          autoComplete="off"
          value={displayName}
          onChange={(e) => setDisplayName(e.currentTarget.value)}
          error={errors.display_name}
        />
        <PasswordInput
          label="Initial password"
          description="At least 12 characters"
          autoComplete="new-password"
          value={password}
          onChange={(e) => setPassword(e.currentTarget.value)}
          error={errors.password}
          required
        />
        <Select
          label="Role"
          data={[...ROLES]}
          value={role}
          onChange={(v) => v && setRole(v)}
          allowDeselect={false}
          error={errors.role}
        />
        <Group justify="flex-end">
          <Button variant="default" onClick={onClose}>
            Cancel
          </Button>
          <Button type="submit" variant="gradient" loading={create.isPending}>
            Create user
          </Button>
        </Group>
      </Stack>
    </form>
  );
}
