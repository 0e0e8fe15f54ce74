// Create or edit a stored credential. The secret input is never pre-filled: on edit, leaving it
// empty keeps the stored secret; whatever is typed replaces it. The secret is never shown again.
import {
  CREDENTIAL_SECRET_MAX_CHARS,
  CREDENTIAL_TYPES,
  type Credential,
  type CredentialType,
} from '@borealis/protocol';
import {
  Alert,
  Button,
  Group,
  Modal,
  PasswordInput,
  Select,
  Stack,
  Textarea,
  TextInput,
} from '@mantine/core';
import { useState, type ChangeEvent, type FormEvent } from 'react';
import { ApiError, errorMessage } from '../../api/client';
import { notifySuccess } from '../../app/query-client';
import { useSites } from '../sites/useSites';
import { useSaveCredential } from './useCredentials';

export const CREDENTIAL_TYPE_LABELS: Record<CredentialType, string> = {
  password: 'Password',
  token: 'Token',
  ssh_key: 'SSH private key',
};

interface CredentialFormModalProps {
  opened: boolean;
  /** The credential being edited; absent to create one. */
  credential?: Credential;
  onClose: () => void;
}

export function CredentialFormModal({ opened, credential, onClose }: CredentialFormModalProps) {
  return (
    <Modal
      opened={opened}
      onClose={onClose}
      title={credential ? `Edit credential ${credential.name}` : 'New credential'}
      size="lg"
    >
      <CredentialForm credential={credential} onClose={onClose} />
    </Modal>
  );
}

function CredentialForm({ credential, onClose }: { credential?: Credential; onClose: () => void }) {
  const sites = useSites();
  const save = useSaveCredential();
  const [name, setName] = useState(credential?.name ?? '');
  const [description, setDescription] = useState(credential?.description ?? '');
  const [type, setType] = useState<CredentialType>(credential?.credential_type ?? 'password');
  const [username, setUsername] = useState(credential?.username ?? '');
  const [secret, setSecret] = useState('');
  const [siteId, setSiteId] = useState<string | null>(credential?.site_id ?? null);
  const [problem, setProblem] = useState<{ field?: string; message: string } | null>(null);

  const submit = (e: FormEvent) => {
    e.preventDefault();
    if (!credential && secret === '') {
      setProblem({ field: 'secret', message: 'Enter the secret to store.' });
      return;
    }
    setProblem(null);
    const fields = {
      name,
      description,
      credential_type: type,
      username: username.trim() || null,
      site_id: siteId,
    };
    const request = credential
      ? { id: credential.id, body: { ...fields, ...(secret ? { secret } : {}) } }
      : { id: null, body: { ...fields, secret } };
    save.mutate(request, {
      onSuccess: (saved) => {
        setSecret('');
        notifySuccess(`Credential ${saved.name} ${credential ? 'saved' : 'created'}.`);
        onClose();
      },
      onError: (err) =>
        setProblem({
          field: err instanceof ApiError ? err.field : undefined,
          message: errorMessage(err),
        }),
    });
  };

  const fieldError = (f: string) => (problem?.field === f ? problem.message : undefined);
  const shown = ['name', 'description', 'credential_type', 'username', 'secret', 'site_id'];
  const secretProps = {
    label: 'Secret',
    description: credential
      ? 'Leave empty to keep the stored secret. It is never shown again after saving.'
      : 'Encrypted at rest and never shown again after saving.',
    placeholder: credential ? 'Leave empty to keep' : undefined,
    value: secret,
    maxLength: CREDENTIAL_SECRET_MAX_CHARS,
    onChange: (e: ChangeEvent<HTMLInputElement | HTMLTextAreaElement>) =>
      setSecret(e.currentTarget.value),
    error: fieldError('secret'),
    autoComplete: 'new-password',
    withAsterisk: !credential,
  };

  return (
    <form onSubmit={submit} aria-label={credential ? 'Edit credential' : 'Create credential'}>
      <Stack gap="md">
        <TextInput
          label="Name"
          value={name}
          maxLength={128}
          onChange={(e) => setName(e.currentTarget.value)}
          error={fieldError('name')}
          withAsterisk
          data-autofocus
        />
        <Group grow align="flex-start">
          <Select
            label="Type"
            data={CREDENTIAL_TYPES.map((t) => ({ value: t, label: CREDENTIAL_TYPE_LABELS[t] }))}
            value={type}
            onChange={(t) => t && setType(t)}
            error={fieldError('credential_type')}
            allowDeselect={false}
          />
          <TextInput
            label="Username"
            value={username}
            maxLength={256}
            onChange={(e) => setUsername(e.currentTarget.value)}
            error={fieldError('username')}
            autoComplete="off"
          />
        </Group>
        {type === 'ssh_key' ? (
          <Textarea {...secretProps} autosize minRows={4} maxRows={10} className="mono" />
        ) : (
          <PasswordInput {...secretProps} />
        )}
        <Select
          label="Site"
          description="Optional: the site this credential belongs to."
          placeholder="All sites"
          data={(sites.data ?? []).map((s) => ({ value: s.id, label: s.name }))}
          value={siteId}
          onChange={setSiteId}
          error={fieldError('site_id')}
          clearable
          searchable
        />
        <Textarea
          label="Description"
          value={description}
          maxLength={1024}
          onChange={(e) => setDescription(e.currentTarget.value)}
          error={fieldError('description')}
          autosize
          minRows={2}
          maxRows={5}
        />
        {problem && !shown.includes(problem.field ?? '') && (
          <Alert color="red" variant="light" title="Not saved">
            {problem.message}
          </Alert>
        )}
        <Group justify="flex-end">
          <Button variant="default" onClick={onClose}>
            Cancel
          </Button>
          <Button type="submit" variant="gradient" loading={save.isPending}>
            {credential ? 'Save' : 'Create credential'}
          </Button>
        </Group>
      </Stack>
    </form>
  );
}
