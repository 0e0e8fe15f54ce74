// Placeholder row for a table's loading, error and empty states.
import { Center, Loader, Table, Text } from '@mantine/core';
import type { UseQueryResult } from '@tanstack/react-query';
import type { ReactNode } from 'react';
import { errorMessage } from '../api/client';

interface TableStateProps {
  query: Pick<UseQueryResult<unknown[] | undefined>, 'isPending' | 'isError' | 'error' | 'data'>;
  columns: number;
  empty: string;
}

export function TableState({ query, columns, empty }: TableStateProps) {
  let content: ReactNode = null;
  if (query.isPending) content = <Loader size="sm" aria-label="Loading" />;
  else if (query.isError)
    content = (
      <Text c="red" size="sm">
        {errorMessage(query.error)}
      </Text>
    );
  else if ((query.data ?? []).length === 0)
    content = (
      <Text c="dimmed" size="sm">
        {empty}
      </Text>
    );
  if (!content) return null;
  return (
    <Table.Tr>
      <Table.Td colSpan={columns}>
        <Center py="lg">{content}</Center>
      </Table.Td>
    </Table.Tr>
  );
}
