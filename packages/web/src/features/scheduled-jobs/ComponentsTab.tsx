// Editor tab "Assemblies": the script assemblies the job runs, in order (add, move up/down,
// remove), each with its variable values as typed inputs (string, number, boolean, credential).
import type { AssemblySummary, Credential } from '@borealis/protocol';
import { ActionIcon, Badge, Group, Select, Stack, Text } from '@mantine/core';
import { RunVariableInput, type RunValue } from '../jobs/RunVariableInput';
import { componentFor, type ComponentDraft } from './job-draft';

interface ComponentsTabProps {
  components: ComponentDraft[];
  onChange: (components: ComponentDraft[]) => void;
  assemblies: AssemblySummary[];
  loading: boolean;
  readOnly: boolean;
  credentials: Credential[] | null;
  error?: string;
  /** Keyed by `<step index>.<variable name>`. */
  variableErrors: Record<string, string>;
}

const FIELDSET = { border: 0, padding: 0, margin: 0, minWidth: 0 };

export function ComponentsTab(props: ComponentsTabProps) {
  const { components, onChange, assemblies, loading, readOnly, credentials, error } = props;
  const scripts = assemblies.filter((a) => a.assembly_kind === 'script');
  const byGuid = new Map(assemblies.map((a) => [a.assembly_guid, a]));

  const add = (guid: string | null) => {
    const assembly = guid ? byGuid.get(guid) : undefined;
    if (assembly) onChange([...components, componentFor(assembly)]);
  };
  const move = (index: number, delta: number) => {
    const next = [...components];
    const [item] = next.splice(index, 1);
    next.splice(index + delta, 0, item!);
    onChange(next);
  };
  const setValue = (index: number, name: string, value: RunValue) =>
    onChange(
      components.map((c, i) =>
        i === index ? { ...c, values: { ...c.values, [name]: value } } : c,
      ),
    );

  return (
    <Stack gap="md">
      {components.length === 0 && (
        <Text size="sm" c="dimmed">
          No assembly yet: add the script(s) this job runs, in order.
        </Text>
      )}
      {components.map((c, index) => {
        const assembly = byGuid.get(c.assembly_guid);
        return (
          <Stack key={c.key} gap="sm" className="glass" p="md" data-testid={`component-${index}`}>
            <Group justify="space-between" wrap="nowrap">
              <Group gap="xs">
                <Badge variant="filled" color="aurora" circle>
                  {index + 1}
                </Badge>
                <Text fw={600}>{assembly?.display_name ?? c.assembly_guid}</Text>
                {assembly && (
                  <Badge variant="light" color="orchid">
                    {assembly.assembly_type}
                  </Badge>
                )}
              </Group>
              {!readOnly && (
                <Group gap={4}>
                  <ActionIcon
                    variant="subtle"
                    aria-label={`Move step ${index + 1} up`}
                    disabled={index === 0}
                    onClick={() => move(index, -1)}
                  >
                    ↑
                  </ActionIcon>
                  <ActionIcon
                    variant="subtle"
                    aria-label={`Move step ${index + 1} down`}
                    disabled={index === components.length - 1}
                    onClick={() => move(index, 1)}
                  >
                    ↓
                  </ActionIcon>
                  <ActionIcon
                    variant="subtle"
                    color="red"
                    aria-label={`Remove step ${index + 1}`}
                    onClick={() => onChange(components.filter((_, i) => i !== index))}
                  >
                    ×
                  </ActionIcon>
                </Group>
              )}
            </Group>
            {!assembly && !loading && (
              <Text size="sm" c="orange">
                This assembly no longer exists.
              </Text>
            )}
            {/* A disabled fieldset keeps every variable input read-only for Viewers. */}
            <fieldset disabled={readOnly} style={FIELDSET}>
              <Stack gap="sm">
                {assembly?.variables.map((v) => (
                  <RunVariableInput
                    key={v.name}
                    variable={v}
                    value={c.values[v.name] ?? null}
                    onChange={(value) => !readOnly && setValue(index, v.name, value)}
                    error={props.variableErrors[`${index}.${v.name}`]}
                    credentials={credentials}
                  />
                ))}
              </Stack>
            </fieldset>
          </Stack>
        );
      })}
      {!readOnly && (
        <Select
          label="Add assembly"
          placeholder={loading ? 'Loading…' : 'Search scripts'}
          data={scripts.map((a) => ({
            value: a.assembly_guid,
            label: `${a.display_name} (${a.domain})`,
          }))}
          value={null}
          onChange={add}
          searchable
          nothingFoundMessage="No script matches"
          error={error}
          w={420}
        />
      )}
    </Stack>
  );
}
