// A titled glass card of label/value facts for the device detail tabs; empty values show "—".
import { SimpleGrid, Stack, Text, Title } from '@mantine/core';
import type { ReactNode } from 'react';

export type Fact = [label: string, value: ReactNode];

export function FactCard({
  title,
  facts,
  cols = 2,
}: {
  title: string;
  facts: Fact[];
  cols?: number;
}) {
  return (
    <div className="glass fact-card">
      <Title order={4} mb="sm">
        {title}
      </Title>
      <SimpleGrid cols={{ base: 1, sm: cols }} spacing="md" verticalSpacing="sm">
        {facts.map(([label, value]) => (
          <Stack key={label} gap={2}>
            <Text size="xs" c="dimmed" tt="uppercase" fw={700} className="nav-section-label">
              {label}
            </Text>
            {value === null || value === undefined || value === '' ? (
              <Text size="sm" c="dimmed">
                —
              </Text>
            ) : (
              <Text size="sm" component="div" className="fact-value">
                {value}
              </Text>
            )}
          </Stack>
        ))}
      </SimpleGrid>
    </div>
  );
}
