// Header user menu: the operator's name and role, and sign-out (POST /api/auth/logout).
import type { Me } from '@borealis/protocol';
import { Avatar, Badge, Group, Menu, Stack, Text, UnstyledButton } from '@mantine/core';
import { ROLE_COLORS } from '../../lib/roles';
import { useLogout } from '../auth/useSession';

function initials(name: string): string {
  const parts = name.trim().split(/\s+/).filter(Boolean);
  const letters =
    parts.length > 1 ? `${parts[0]?.[0] ?? ''}${parts[1]?.[0] ?? ''}` : name.slice(0, 2);
  return letters.toUpperCase();
}

export function UserMenu({ me }: { me: Me }) {
  const logout = useLogout();
  const name = me.display_name || me.username;

  return (
    <Menu position="bottom-end" width={220} shadow="lg">
      <Menu.Target>
        <UnstyledButton aria-label={`User menu for ${name}`}>
          <Group gap="sm" wrap="nowrap">
            <Avatar
              radius="xl"
              size={32}
              variant="gradient"
              gradient={{ from: 'aurora.6', to: 'orchid.6' }}
            >
              {initials(name)}
            </Avatar>
            <Stack gap={0} visibleFrom="sm">
              <Text size="sm" fw={600} lh={1.2}>
                {name}
              </Text>
              <Text size="xs" c="dimmed" lh={1.2}>
                {me.role}
              </Text>
            </Stack>
          </Group>
        </UnstyledButton>
      </Menu.Target>
      <Menu.Dropdown>
        <Menu.Label>Signed in as</Menu.Label>
        <Group px="sm" pb="xs" justify="space-between" wrap="nowrap">
          <Text size="sm" truncate>
            {me.username}
          </Text>
          <Badge size="sm" variant="light" color={ROLE_COLORS[me.role]}>
            {me.role}
          </Badge>
        </Group>
        <Menu.Divider />
        <Menu.Item color="red" onClick={() => logout.mutate()} disabled={logout.isPending}>
          Sign out
        </Menu.Item>
      </Menu.Dropdown>
    </Menu>
  );
}
