// Inline editor of a device's description (operator): click the text, type, Enter saves
// (PUT /api/devices/:guid/description), Escape or leaving the field cancels.
import type { Device } from '@borealis/protocol';
import { Text, TextInput, Tooltip, UnstyledButton } from '@mantine/core';
import { useState, type KeyboardEvent } from 'react';
import { notifySuccess } from '../../app/query-client';
import { useUpdateDescription } from './useDevices';

const MAX_LENGTH = 1024;

export function DescriptionCell({
  device,
  canEdit,
}: {
  device: Pick<Device, 'guid' | 'hostname' | 'description'>;
  canEdit: boolean;
}) {
  const update = useUpdateDescription();
  const [draft, setDraft] = useState<string | null>(null);

  const text = device.description ? (
    <Text size="sm" lineClamp={1}>
      {device.description}
    </Text>
  ) : (
    <Text size="sm" c="dimmed">
      {canEdit ? 'Add description' : '—'}
    </Text>
  );
  if (!canEdit) return text;

  if (draft === null) {
    return (
      <Tooltip label="Click to edit" openDelay={600}>
        <UnstyledButton
          className="inline-edit"
          aria-label={`Edit description of ${device.hostname}`}
          onClick={() => setDraft(device.description)}
        >
          {text}
        </UnstyledButton>
      </Tooltip>
    );
  }

  const save = () => {
    const description = draft.trim();
    if (description === device.description) {
      setDraft(null);
      return;
    }
    update.mutate(
      { guid: device.guid, description },
      {
        onSuccess: () => {
          setDraft(null);
          notifySuccess(`Description of ${device.hostname} saved.`);
        },
      },
    );
  };

  const onKeyDown = (e: KeyboardEvent<HTMLInputElement>) => {
    if (e.key === 'Enter') {
      e.preventDefault();
      save();
    } else if (e.key === 'Escape') {
      e.preventDefault();
      setDraft(null);
    }
  };

  return (
    <TextInput
      size="xs"
      autoFocus
      value={draft}
      maxLength={MAX_LENGTH}
      readOnly={update.isPending}
      placeholder="Enter saves, Esc cancels"
      aria-label={`Description of ${device.hostname}`}
      onChange={(e) => setDraft(e.currentTarget.value)}
      onKeyDown={onKeyDown}
      onBlur={() => {
        if (!update.isPending) setDraft(null);
      }}
      miw={180}
    />
  );
}
