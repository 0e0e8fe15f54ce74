// Saved views of the device list: load one, save the current columns/filters/sort under a new
// name, overwrite the loaded view, or delete it (writes need the Operator role).
import type { ListView } from '@borealis/protocol';
import { Button, Menu, Modal, Stack, Group, TextInput, Text } from '@mantine/core';
import { useState, type FormEvent } from 'react';
import { ApiError, errorMessage } from '../../api/client';
import { notifySuccess } from '../../app/query-client';
import { ConfirmDialog } from '../../components/ConfirmDialog';
import {
  useCreateListView,
  useDeleteListView,
  useListViews,
  useUpdateListView,
  viewInputOf,
} from './useListViews';
import type { ListState } from './list-state';

interface SavedViewsMenuProps {
  state: ListState;
  active: ListView | null;
  canEdit: boolean;
  onLoad: (view: ListView) => void;
  onForget: () => void;
}

export function SavedViewsMenu({ state, active, canEdit, onLoad, onForget }: SavedViewsMenuProps) {
  const views = useListViews();
  const update = useUpdateListView();
  const remove = useDeleteListView();
  const [saving, setSaving] = useState(false);
  const [deleting, setDeleting] = useState<ListView | null>(null);

  const saveActive = () => {
    if (!active) return;
    update.mutate(
      { id: active.id, body: viewInputOf(active.name, state) },
      { onSuccess: (view) => notifySuccess(`View ${view.name} saved.`) },
    );
  };

  const confirmDelete = () => {
    if (!deleting) return;
    remove.mutate(deleting.id, {
      onSuccess: () => {
        notifySuccess(`View ${deleting.name} deleted.`);
        if (active?.id === deleting.id) onForget();
        setDeleting(null);
      },
    });
  };

  const list = views.data ?? [];
  return (
    <>
      <Menu position="bottom-end" width={260} withinPortal>
        <Menu.Target>
          <Button variant="default" aria-label="Saved views">
            {active ? `View: ${active.name}` : 'Saved views'}
          </Button>
        </Menu.Target>
        <Menu.Dropdown>
          <Menu.Label>Saved views</Menu.Label>
          {list.length === 0 && (
            <Text size="sm" c="dimmed" px="sm" py={6}>
              {views.isPending ? 'Loading…' : 'No saved views yet.'}
            </Text>
          )}
          {list.map((view) => (
            <Menu.Item
              key={view.id}
              onClick={() => onLoad(view)}
              rightSection={
                active?.id === view.id ? (
                  <Text size="xs" aria-hidden>
                    ✓
                  </Text>
                ) : null
              }
            >
              {view.name}
            </Menu.Item>
          ))}
          {canEdit && (
            <>
              <Menu.Divider />
              <Menu.Item onClick={() => setSaving(true)}>Save as new view…</Menu.Item>
              {active && (
                <>
                  <Menu.Item onClick={saveActive}>Save changes to {active.name}</Menu.Item>
                  <Menu.Item color="red" onClick={() => setDeleting(active)}>
                    Delete view {active.name}
                  </Menu.Item>
                </>
              )}
            </>
          )}
        </Menu.Dropdown>
      </Menu>
      <Modal opened={saving} onClose={() => setSaving(false)} title="Save view">
        <SaveViewForm
          state={state}
          onSaved={(view) => {
            setSaving(false);
            onLoad(view);
          }}
          onCancel={() => setSaving(false)}
        />
      </Modal>
      <ConfirmDialog
        opened={deleting !== null}
        title="Delete view"
        confirmLabel="Delete view"
        loading={remove.isPending}
        onConfirm={confirmDelete}
        onClose={() => setDeleting(null)}
      >
        {`Delete the saved view "${deleting?.name ?? ''}"? Everyone shares saved views.`}
      </ConfirmDialog>
    </>
  );
}

function SaveViewForm({
  state,
  onSaved,
  onCancel,
}: {
  state: ListState;
  onSaved: (view: ListView) => void;
  onCancel: () => void;
}) {
  const create = useCreateListView();
  const [name, setName] = useState('');
  const [error, setError] = useState<string | null>(null);

  const submit = (e: FormEvent) => {
    e.preventDefault();
    const trimmed = name.trim();
    if (!trimmed) {
      setError('Give the view a name.');
      return;
    }
    setError(null);
    create.mutate(viewInputOf(trimmed, state), {
      onSuccess: (view) => {
        notifySuccess(`View ${view.name} saved.`);
        onSaved(view);
      },
      onError: (err) =>
        setError(
          err instanceof ApiError && err.code === 'view_exists'
            ? 'A view with this name exists already.'
            : errorMessage(err),
        ),
    });
  };

  return (
    <form onSubmit={submit} aria-label="Save view">
      <Stack gap="md">
        <Text size="sm" c="dimmed">
          Saves the visible columns, their order, the filters and the sort. Saved views are shared
          by all operators.
        </Text>
        <TextInput
          label="View name"
          value={name}
          maxLength={128}
          onChange={(e) => setName(e.currentTarget.value)}
          error={error}
          required
          data-autofocus
        />
        <Group justify="flex-end">
          <Button variant="default" onClick={onCancel}>
            Cancel
          </Button>
          <Button type="submit" variant="gradient" loading={create.isPending}>
            Save view
          </Button>
        </Group>
      </Stack>
    </form>
  );
}
