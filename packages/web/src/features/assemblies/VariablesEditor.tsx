// The assembly's variables as an editable table: name (becomes an upper-cased environment
// variable), label, type (string, number, boolean, credential), a typed default (credentials are
// picked from the store by admins), required, and description. API errors land on their cell.
import { VARIABLE_TYPES, type Credential, type VariableValue } from '@borealis/protocol';
import { Button, Checkbox, NumberInput, Select, Table, Text, TextInput } from '@mantine/core';
import { newVariable, type VariableDraft } from './assembly-draft';

interface VariablesEditorProps {
  variables: VariableDraft[];
  onChange: (variables: VariableDraft[]) => void;
  readOnly: boolean;
  /** Null when the operator may not list credentials (then a credential id is typed). */
  credentials: Credential[] | null;
  errorFor: (field: string) => string | undefined;
}

const TYPE_OPTIONS = VARIABLE_TYPES.map((t) => ({ value: t, label: t }));

function DefaultInput(props: {
  v: VariableDraft;
  index: number;
  readOnly: boolean;
  credentials: Credential[] | null;
  error?: string;
  onChange: (value: VariableValue | null) => void;
}) {
  const { v, index, readOnly, credentials, error, onChange } = props;
  const label = `Variable ${index + 1} default`;
  const common = { 'aria-label': label, size: 'xs' as const, error, readOnly, disabled: readOnly };
  switch (v.type) {
    case 'string':
      return (
        <TextInput
          {...common}
          placeholder="No default"
          value={typeof v.default === 'string' ? v.default : ''}
          onChange={(e) => onChange(e.currentTarget.value)}
        />
      );
    case 'number':
      return (
        <NumberInput
          {...common}
          placeholder="No default"
          value={typeof v.default === 'number' ? v.default : ''}
          onChange={(n) => onChange(typeof n === 'number' ? n : null)}
        />
      );
    case 'boolean':
      return (
        <Select
          {...common}
          data={[
            { value: 'true', label: 'true' },
            { value: 'false', label: 'false' },
          ]}
          placeholder="No default"
          value={typeof v.default === 'boolean' ? String(v.default) : null}
          onChange={(s) => onChange(s === null ? null : s === 'true')}
          clearable
        />
      );
    case 'credential':
      return credentials ? (
        <Select
          {...common}
          data={credentials.map((c) => ({ value: c.id, label: c.name }))}
          placeholder="No default"
          value={typeof v.default === 'string' ? v.default : null}
          onChange={(id) => onChange(id)}
          clearable
          searchable
          nothingFoundMessage="No credential"
        />
      ) : (
        <TextInput
          {...common}
          placeholder="Credential id"
          value={typeof v.default === 'string' ? v.default : ''}
          onChange={(e) => onChange(e.currentTarget.value.trim())}
        />
      );
  }
}

export function VariablesEditor(props: VariablesEditorProps) {
  const { variables, onChange, readOnly, credentials, errorFor } = props;
  const patch = (key: string, change: Partial<VariableDraft>) =>
    onChange(variables.map((v) => (v.key === key ? { ...v, ...change } : v)));

  return (
    <>
      {variables.length === 0 ? (
        <Text size="sm" c="dimmed">
          No variables. Each variable reaches the script as an environment variable: its name in
          upper case, other characters as “_”.
        </Text>
      ) : (
        <Table.ScrollContainer minWidth={980}>
          <Table aria-label="Variables" fz="sm" verticalSpacing={6} highlightOnHover={false}>
            <Table.Thead>
              <Table.Tr>
                <Table.Th w={170}>Name</Table.Th>
                <Table.Th w={160}>Label</Table.Th>
                <Table.Th w={130}>Type</Table.Th>
                <Table.Th w={170}>Default</Table.Th>
                <Table.Th w={80}>Required</Table.Th>
                <Table.Th>Description</Table.Th>
                {!readOnly && <Table.Th w={80} />}
              </Table.Tr>
            </Table.Thead>
            <Table.Tbody>
              {variables.map((v, i) => (
                <Table.Tr key={v.key} data-testid={`variable-row-${i}`}>
                  <Table.Td>
                    <TextInput
                      size="xs"
                      aria-label={`Variable ${i + 1} name`}
                      className="mono"
                      value={v.name}
                      maxLength={64}
                      readOnly={readOnly}
                      error={errorFor(`variables.${i}.name`)}
                      onChange={(e) => patch(v.key, { name: e.currentTarget.value })}
                    />
                  </Table.Td>
                  <Table.Td>
                    <TextInput
                      size="xs"
                      aria-label={`Variable ${i + 1} label`}
                      value={v.label}
                      maxLength={128}
                      readOnly={readOnly}
                      error={errorFor(`variables.${i}.label`)}
                      onChange={(e) => patch(v.key, { label: e.currentTarget.value })}
                    />
                  </Table.Td>
                  <Table.Td>
                    <Select
                      size="xs"
                      aria-label={`Variable ${i + 1} type`}
                      data={TYPE_OPTIONS}
                      value={v.type}
                      allowDeselect={false}
                      disabled={readOnly}
                      error={errorFor(`variables.${i}.type`)}
                      onChange={(type) => patch(v.key, { type: type ?? 'string', default: null })}
                    />
                  </Table.Td>
                  <Table.Td>
                    <DefaultInput
                      v={v}
                      index={i}
                      readOnly={readOnly}
                      credentials={credentials}
                      error={errorFor(`variables.${i}.default`)}
                      onChange={(value) => patch(v.key, { default: value })}
                    />
                  </Table.Td>
                  <Table.Td>
                    <Checkbox
                      aria-label={`Variable ${i + 1} required`}
                      checked={v.required}
                      disabled={readOnly}
                      onChange={(e) => patch(v.key, { required: e.currentTarget.checked })}
                    />
                  </Table.Td>
                  <Table.Td>
                    <TextInput
                      size="xs"
                      aria-label={`Variable ${i + 1} description`}
                      value={v.description}
                      maxLength={2048}
                      readOnly={readOnly}
                      error={errorFor(`variables.${i}.description`)}
                      onChange={(e) => patch(v.key, { description: e.currentTarget.value })}
                    />
                  </Table.Td>
                  {!readOnly && (
                    <Table.Td>
                      <Button
                        size="compact-xs"
                        variant="subtle"
                        color="red"
                        aria-label={`Remove variable ${i + 1}`}
                        onClick={() => onChange(variables.filter((x) => x.key !== v.key))}
                      >
                        Remove
                      </Button>
                    </Table.Td>
                  )}
                </Table.Tr>
              ))}
            </Table.Tbody>
          </Table>
        </Table.ScrollContainer>
      )}
      {!readOnly && (
        <Button
          mt="sm"
          size="xs"
          variant="light"
          onClick={() => onChange([...variables, newVariable()])}
          disabled={variables.length >= 100}
        >
          Add variable
        </Button>
      )}
    </>
  );
}
