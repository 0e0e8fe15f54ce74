// Centered glass card with the Borealis brand, used by the login and first-admin setup pages.
import { Center, Stack, Text, Title } from '@mantine/core';
import type { ReactNode } from 'react';

export function AuthLayout({ subtitle, children }: { subtitle: string; children: ReactNode }) {
  return (
    <Center mih="100vh" p="md">
      <Stack className="glass auth-card" p="xl" gap="lg">
        <Stack gap={4} align="center">
          <Title order={1} className="gradient-text" fz={34}>
            Borealis
          </Title>
          <Text c="dimmed" size="sm" ta="center">
            {subtitle}
          </Text>
        </Stack>
        {children}
      </Stack>
    </Center>
  );
}
