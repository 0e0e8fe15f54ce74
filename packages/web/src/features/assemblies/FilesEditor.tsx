// Files attached to an assembly: upload (read in the browser as base64), name, size and type,
// remove; the total is checked against the engine's 5 MiB limit before saving.
import { FILES_MAX_TOTAL_BYTES, type AssemblyFile } from '@borealis/protocol';
import { Button, FileButton, Group, Table, Text } from '@mantine/core';
import { useState } from 'react';
import { notifyError } from '../../app/query-client';
import { formatBytes } from '../../lib/format';
import { readFileBase64 } from '../../lib/files';

interface FilesEditorProps {
  files: AssemblyFile[];
  onChange: (files: AssemblyFile[]) => void;
  readOnly: boolean;
  errorFor: (field: string) => string | undefined;
}

export function FilesEditor({ files, onChange, readOnly, errorFor }: FilesEditorProps) {
  const [reading, setReading] = useState(false);
  const total = files.reduce((sum, f) => sum + f.size, 0);

  const add = async (picked: File[]) => {
    setReading(true);
    try {
      const added: AssemblyFile[] = [];
      for (const file of picked) {
        added.push({
          file_name: file.name,
          size: file.size,
          mime_type: file.type || 'application/octet-stream',
          data: await readFileBase64(file),
        });
      }
      const names = new Set(added.map((f) => f.file_name));
      onChange([...files.filter((f) => !names.has(f.file_name)), ...added]);
    } catch (err) {
      notifyError(err, 'Could not read the file');
    } finally {
      setReading(false);
    }
  };

  const listError = errorFor('files');
  return (
    <>
      {files.length === 0 ? (
        <Text size="sm" c="dimmed">
          No files attached.
        </Text>
      ) : (
        <Table aria-label="Attached files" fz="sm" verticalSpacing={6}>
          <Table.Thead>
            <Table.Tr>
              <Table.Th>File</Table.Th>
              <Table.Th w={110}>Size</Table.Th>
              <Table.Th w={220}>Type</Table.Th>
              {!readOnly && <Table.Th w={90} />}
            </Table.Tr>
          </Table.Thead>
          <Table.Tbody>
            {files.map((f, i) => {
              const error =
                errorFor(`files.${i}.file_name`) ??
                errorFor(`files.${i}.data`) ??
                errorFor(`files.${i}.mime_type`);
              return (
                <Table.Tr key={f.file_name}>
                  <Table.Td>
                    <Text size="sm" className="mono fact-value">
                      {f.file_name}
                    </Text>
                    {error && (
                      <Text size="xs" c="red">
                        {error}
                      </Text>
                    )}
                  </Table.Td>
                  <Table.Td>{formatBytes(f.size)}</Table.Td>
                  <Table.Td className="fact-value">{f.mime_type}</Table.Td>
                  {!readOnly && (
                    <Table.Td>
                      <Button
                        size="compact-xs"
                        variant="subtle"
                        color="red"
                        aria-label={`Remove file ${f.file_name}`}
                        onClick={() => onChange(files.filter((x) => x !== f))}
                      >
                        Remove
                      </Button>
                    </Table.Td>
                  )}
                </Table.Tr>
              );
            })}
          </Table.Tbody>
        </Table>
      )}
      <Group mt="sm" gap="sm">
        {!readOnly && (
          <FileButton onChange={(picked) => void add(picked)} multiple>
            {(props) => (
              <Button {...props} size="xs" variant="light" loading={reading}>
                Attach files
              </Button>
            )}
          </FileButton>
        )}
        <Text size="xs" c={total > FILES_MAX_TOTAL_BYTES ? 'red' : 'dimmed'}>
          {formatBytes(total)} of {formatBytes(FILES_MAX_TOTAL_BYTES)}
        </Text>
        {listError && (
          <Text size="xs" c="red">
            {listError}
          </Text>
        )}
      </Group>
    </>
  );
}
