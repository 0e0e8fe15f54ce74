// Column chooser of the device list: show or hide each column, move visible ones up or down,
// or go back to the default set (Status, Site, Hostname, Description, Last User, Type, OS).
import {
  ActionIcon,
  Button,
  Checkbox,
  Group,
  Popover,
  ScrollArea,
  Stack,
  Text,
} from '@mantine/core';
import { DEFAULT_COLUMN_IDS, DEVICE_COLUMNS, COLUMNS_BY_ID } from './columns';

interface ColumnChooserProps {
  columns: string[];
  onChange: (columns: string[]) => void;
}

export function ColumnChooser({ columns, onChange }: ColumnChooserProps) {
  const hidden = DEVICE_COLUMNS.filter((c) => !columns.includes(c.id)).map((c) => c.id);

  const toggle = (id: string, on: boolean) => {
    if (on) onChange([...columns, id]);
    else if (columns.length > 1) onChange(columns.filter((c) => c !== id));
  };

  const move = (index: number, delta: -1 | 1) => {
    const target = index + delta;
    if (target < 0 || target >= columns.length) return;
    const next = [...columns];
    [next[index], next[target]] = [next[target]!, next[index]!];
    onChange(next);
  };

  return (
    <Popover position="bottom-end" width={300} shadow="md" withinPortal>
      <Popover.Target>
        <Button variant="default">Columns</Button>
      </Popover.Target>
      <Popover.Dropdown aria-label="Choose columns">
        <Stack gap="xs">
          <Group justify="space-between">
            <Text size="sm" fw={600}>
              Columns
            </Text>
            <Button
              size="compact-xs"
              variant="subtle"
              onClick={() => onChange([...DEFAULT_COLUMN_IDS])}
            >
              Reset
            </Button>
          </Group>
          <ScrollArea.Autosize mah={420} type="auto" offsetScrollbars>
            <Stack gap={6}>
              {columns.map((id, index) => (
                <Group key={id} justify="space-between" wrap="nowrap" gap="xs">
                  <Checkbox
                    size="xs"
                    label={COLUMNS_BY_ID.get(id)?.label ?? id}
                    checked
                    disabled={columns.length === 1}
                    onChange={(e) => toggle(id, e.currentTarget.checked)}
                  />
                  <Group gap={2} wrap="nowrap">
                    <ActionIcon
                      size="sm"
                      variant="subtle"
                      aria-label={`Move ${COLUMNS_BY_ID.get(id)?.label ?? id} up`}
                      disabled={index === 0}
                      onClick={() => move(index, -1)}
                    >
                      ↑
                    </ActionIcon>
                    <ActionIcon
                      size="sm"
                      variant="subtle"
                      aria-label={`Move ${COLUMNS_BY_ID.get(id)?.label ?? id} down`}
                      disabled={index === columns.length - 1}
                      onClick={() => move(index, 1)}
                    >
                      ↓
                    </ActionIcon>
                  </Group>
                </Group>
              ))}
              {hidden.map((id) => (
                <Checkbox
                  key={id}
                  size="xs"
                  label={COLUMNS_BY_ID.get(id)?.label ?? id}
                  checked={false}
                  onChange={(e) => toggle(id, e.currentTarget.checked)}
                />
              ))}
            </Stack>
          </ScrollArea.Autosize>
        </Stack>
      </Popover.Dropdown>
    </Popover>
  );
}
