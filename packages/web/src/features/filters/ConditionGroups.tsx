// The AND/OR editor of a device filter: groups of `{field, operator, value}` conditions. Each
// condition after the first is joined to the one before it with AND or OR, and so is each group
// to the group before it (AND binds tighter than OR, as the engine evaluates it).
import {
  FILTER_FIELDS,
  FILTER_OPERATORS,
  type FilterCondition,
  type FilterGroup,
  type FilterJoin,
} from '@borealis/protocol';
import {
  Button,
  Center,
  Group,
  SegmentedControl,
  Select,
  Stack,
  Text,
  TextInput,
} from '@mantine/core';
import {
  blankCondition,
  blankGroup,
  FIELD_LABELS,
  OPERATOR_LABELS,
  takesValue,
} from './filter-fields';

interface ConditionGroupsProps {
  groups: FilterGroup[];
  onChange: (groups: FilterGroup[]) => void;
  readOnly: boolean;
}

const FIELD_OPTIONS = FILTER_FIELDS.map((f) => ({ value: f, label: FIELD_LABELS[f] }));
const OPERATOR_OPTIONS = FILTER_OPERATORS.map((o) => ({ value: o, label: OPERATOR_LABELS[o] }));
const JOINS = ['AND', 'OR'];

function Join(props: {
  value: FilterJoin;
  onChange: (j: FilterJoin) => void;
  label: string;
  readOnly: boolean;
}) {
  return (
    <SegmentedControl
      size="xs"
      aria-label={props.label}
      data={JOINS}
      value={props.value}
      disabled={props.readOnly}
      onChange={(v) => props.onChange(v === 'OR' ? 'OR' : 'AND')}
      w={96}
    />
  );
}

export function ConditionGroups({ groups, onChange, readOnly }: ConditionGroupsProps) {
  const setGroup = (gi: number, group: FilterGroup | null) =>
    onChange(
      group === null
        ? groups.filter((_, i) => i !== gi)
        : groups.map((g, i) => (i === gi ? group : g)),
    );
  const setCondition = (gi: number, ci: number, patch: Partial<FilterCondition> | null) => {
    const g = groups[gi]!;
    const conditions =
      patch === null
        ? g.conditions.filter((_, i) => i !== ci)
        : g.conditions.map((c, i) => (i === ci ? { ...c, ...patch } : c));
    setGroup(gi, conditions.length === 0 ? null : { ...g, conditions });
  };

  return (
    <Stack gap="sm">
      {groups.length === 0 && (
        <Text size="sm" c="dimmed">
          No conditions: the filter matches every device in its scope.
        </Text>
      )}
      {groups.map((g, gi) => (
        <Stack key={gi} gap="sm">
          {gi > 0 && (
            <Center>
              <Join
                label={`Join group ${gi + 1}`}
                value={g.join_with}
                readOnly={readOnly}
                onChange={(j) => setGroup(gi, { ...g, join_with: j })}
              />
            </Center>
          )}
          <div className="filter-group" data-testid={`filter-group-${gi}`}>
            <Group justify="space-between" mb="xs">
              <Text size="sm" fw={700}>
                Group {gi + 1}
              </Text>
              {!readOnly && (
                <Button
                  size="compact-xs"
                  variant="subtle"
                  color="red"
                  onClick={() => setGroup(gi, null)}
                >
                  Remove group
                </Button>
              )}
            </Group>
            <Stack gap="xs">
              {g.conditions.map((c, ci) => {
                const n = `group ${gi + 1} condition ${ci + 1}`;
                return (
                  <Group key={ci} gap="xs" wrap="nowrap" align="flex-start">
                    {ci === 0 ? (
                      <Text size="sm" c="dimmed" w={96} ta="center" pt={4}>
                        Where
                      </Text>
                    ) : (
                      <Join
                        label={`Join ${n}`}
                        value={c.join_with}
                        readOnly={readOnly}
                        onChange={(j) => setCondition(gi, ci, { join_with: j })}
                      />
                    )}
                    <Select
                      size="xs"
                      aria-label={`Field of ${n}`}
                      data={FIELD_OPTIONS}
                      value={c.field}
                      onChange={(f) => f && setCondition(gi, ci, { field: f })}
                      allowDeselect={false}
                      disabled={readOnly}
                      w={170}
                    />
                    <Select
                      size="xs"
                      aria-label={`Operator of ${n}`}
                      data={OPERATOR_OPTIONS}
                      value={c.operator}
                      onChange={(o) => o && setCondition(gi, ci, { operator: o })}
                      allowDeselect={false}
                      disabled={readOnly}
                      w={180}
                    />
                    {takesValue(c.operator) ? (
                      <TextInput
                        size="xs"
                        aria-label={`Value of ${n}`}
                        value={c.value}
                        maxLength={256}
                        readOnly={readOnly}
                        onChange={(e) => setCondition(gi, ci, { value: e.currentTarget.value })}
                        style={{ flex: 1 }}
                      />
                    ) : (
                      <div style={{ flex: 1 }} />
                    )}
                    {!readOnly && (
                      <Button
                        size="compact-xs"
                        variant="subtle"
                        color="gray"
                        mt={4}
                        aria-label={`Remove ${n}`}
                        onClick={() => setCondition(gi, ci, null)}
                      >
                        ✕
                      </Button>
                    )}
                  </Group>
                );
              })}
            </Stack>
            {!readOnly && (
              <Button
                mt="sm"
                size="compact-xs"
                variant="light"
                disabled={g.conditions.length >= 50}
                onClick={() =>
                  setGroup(gi, { ...g, conditions: [...g.conditions, blankCondition()] })
                }
              >
                Add condition
              </Button>
            )}
          </div>
        </Stack>
      ))}
      {!readOnly && (
        <Group>
          <Button
            size="xs"
            variant="light"
            disabled={groups.length >= 20}
            onClick={() => onChange([...groups, blankGroup()])}
          >
            Add group
          </Button>
        </Group>
      )}
    </Stack>
  );
}
