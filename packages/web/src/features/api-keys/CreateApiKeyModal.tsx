// Create an API key (name + role) and show the secret exactly once, with a copy button.
import { ApiKeyCreateSchema, ROLES, type Role } from '@borealis/protocol';
import { Alert, Button, Code, Group, Modal, Select, Stack, TextInput } from '@mantine/core';
import { useState, type FormEvent } from 'react';
import { CopyButton } from '../../components/CopyButton';
import { validate, type FieldErrors } from '../../lib/validation';
import { useCreateApiKey } from './useApiKeys';

export function CreateApiKeyModal({ opened, onClose }: { opened: boolean; onClose: () => void }) {
  return (
    <Modal opened={opened} onClose={onClose} title="New API key" closeOnClickOutside={false}>
      <CreateApiKeyForm onClose={onClose} />
    </Modal>
  );
}

function CreateApiKeyForm({ onClose }: { onClose: () => void }) {
  const create = useCreateApiKey();
  const [name, setName] = useState('');
  const [role, setRole] = useState<Role>('Viewer');
  const [errors, setErrors] = useState<FieldErrors>({});

  const submit = (e: FormEvent) => {
    e.preventDefault();
    const result = validate(ApiKeyCreateSchema, { name, role });
    if (!result.ok) {
      setErrors(result.errors);
      return;
    }
    setErrors({});
    create.mutate(result.data);
  };

  if (create.data) {
    const { key, name: keyName } = create.data;
    return (
      <Stack gap="md">
        <Alert color="orange" variant="light" title="Copy the key now">
          This is the only time the key for “{keyName}” is shown. Send it as{' '}
          <Code>Authorization: Bearer &lt;key&gt;</Code>.
        </Alert>
        <Code block className="mono wrap-anywhere" data-testid="new-api-key">
          {key}
        </Code>
        <Group justify="space-between">
          <CopyButton value={key} label="Copy new API key" />
          <Button onClick={onClose}>Done</Button>
        </Group>
      </Stack>
    );
  }

  return (
    <form onSubmit={submit} aria-label="Create API key">
      <Stack gap="md">
        <TextInput
          label="Key name"
          description="What the key is for, e.g. the script or host using it"
          value={name}
          onChange={(e) => setName(e.currentTarget.value)}
          error={errors.name}
          required
          data-autofocus
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
            Create key
          </Button>
        </Group>
      </Stack>
    </form>
  );
}
