// Create or edit a site (name + description), validated with the engine's own schema.
import { SiteCreateSchema, type Site } from '@borealis/protocol';
import { Button, Group, Modal, Stack, TextInput, Textarea } from '@mantine/core';
import { useState, type FormEvent } from 'react';
import { notifySuccess } from '../../app/query-client';
import { validate, type FieldErrors } from '../../lib/validation';
import { useCreateSite, useUpdateSite } from './useSites';

interface SiteFormModalProps {
  opened: boolean;
  /** The site being edited; absent to create a new one. */
  site?: Site;
  onClose: () => void;
}

export function SiteFormModal({ opened, site, onClose }: SiteFormModalProps) {
  return (
    <Modal opened={opened} onClose={onClose} title={site ? `Edit site ${site.name}` : 'New site'}>
      <SiteForm site={site} onClose={onClose} />
    </Modal>
  );
}

function SiteForm({ site, onClose }: { site?: Site; onClose: () => void }) {
  const create = useCreateSite();
  const update = useUpdateSite();
  const [name, setName] = useState(site?.name ?? '');
  const [description, setDescription] = useState(site?.description ?? '');
  const [errors, setErrors] = useState<FieldErrors>({});

  const submit = (e: FormEvent) => {
    e.preventDefault();
    const result = validate(SiteCreateSchema, { name, description });
    if (!result.ok) {
      setErrors(result.errors);
      return;
    }
    setErrors({});
    const done = (verb: string) => () => {
      notifySuccess(`Site ${result.data.name} ${verb}.`);
      onClose();
    };
    if (site) update.mutate({ id: site.id, ...result.data }, { onSuccess: done('saved') });
    else create.mutate(result.data, { onSuccess: done('created') });
  };

  return (
    <form onSubmit={submit} aria-label={site ? 'Edit site' : 'Create site'}>
      <Stack gap="md">
        <TextInput
          label="Site name"
          value={name}
          onChange={(e) => setName(e.currentTarget.value)}
          error={errors.name}
          required
          data-autofocus
        />
        <Textarea
          label="Description"
          value={description}
          onChange={(e) => setDescription(e.currentTarget.value)}
          error={errors.description}
          autosize
          minRows={2}
          maxRows={6}
        />
        <Group justify="flex-end">
          <Button variant="default" onClick={onClose}>
            Cancel
          </Button>
          <Button type="submit" variant="gradient" loading={create.isPending || update.isPending}>
            {site ? 'Save' : 'Create site'}
          </Button>
        </Group>
      </Stack>
    </form>
  );
}
