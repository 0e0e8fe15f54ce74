// Left navigation: section labels with links, showing only the pages the operator's role can open.
import { NavLink, ScrollArea, Stack, Text } from '@mantine/core';
import { Link, useLocation } from 'react-router-dom';
import type { Role } from '@borealis/protocol';
import { hasRole } from '../../lib/roles';
import { NAV_SECTIONS } from './nav';

export function Sidebar({ role, onNavigate }: { role: Role; onNavigate: () => void }) {
  const { pathname } = useLocation();
  const sections = NAV_SECTIONS.map((s) => ({
    ...s,
    items: s.items.filter((i) => hasRole(role, i.role)),
  })).filter((s) => s.items.length > 0);

  return (
    <ScrollArea type="scroll" h="100%">
      <nav aria-label="Main navigation">
        <Stack gap="lg" p="md">
          {sections.map((section) => (
            <Stack key={section.label} gap={4}>
              <Text
                size="xs"
                fw={700}
                c="dimmed"
                tt="uppercase"
                className="nav-section-label"
                px="sm"
              >
                {section.label}
              </Text>
              {section.items.map((item) => (
                <NavLink
                  key={item.path}
                  component={Link}
                  to={item.path}
                  label={item.label}
                  active={pathname === item.path || pathname.startsWith(`${item.path}/`)}
                  variant="light"
                  onClick={onNavigate}
                  style={{ borderRadius: 'var(--mantine-radius-md)' }}
                />
              ))}
            </Stack>
          ))}
        </Stack>
      </nav>
    </ScrollArea>
  );
}
