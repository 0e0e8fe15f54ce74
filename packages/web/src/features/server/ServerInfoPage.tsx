// Server Info page (admin): engine version, host, runtime, database, uptime, server time and the
// TLS root CA fingerprint that agents and browsers should pin.
import { Alert, Badge, Group, Loader, SimpleGrid, Stack, Text, Title } from '@mantine/core';
import type { ReactNode } from 'react';
import { errorMessage } from '../../api/client';
import { CopyButton } from '../../components/CopyButton';
import { PageHeader } from '../../components/PageHeader';
import { formatDuration, formatTime } from '../../lib/format';
import { useServerInfo, useServerTime } from './useServer';

function Fact({ label, children }: { label: string; children: ReactNode }) {
  return (
    <Stack gap={2}>
      <Text size="xs" c="dimmed" tt="uppercase" fw={700} className="nav-section-label">
        {label}
      </Text>
      <Text size="sm" component="div" style={{ wordBreak: 'break-all' }}>
        {children}
      </Text>
    </Stack>
  );
}

export function ServerInfoPage() {
  const info = useServerInfo();
  const time = useServerTime();

  if (info.isPending) return <Loader aria-label="Loading server info" />;
  if (info.isError) {
    return (
      <Alert color="red" title="Could not load server info">
        {errorMessage(info.error)}
      </Alert>
    );
  }
  const s = info.data;
  const fingerprint = s.tls.ca_fingerprint_sha256;

  return (
    <>
      <PageHeader title="Server Info" subtitle="Facts about this engine and its environment." />
      <Stack gap="lg">
        <div className="glass" style={{ padding: 'var(--mantine-spacing-lg)' }}>
          <Title order={4} mb="md">
            Engine
          </Title>
          <SimpleGrid cols={{ base: 1, sm: 2, lg: 3 }} spacing="lg">
            <Fact label="Version">{s.version}</Fact>
            <Fact label="Host name">{s.hostname}</Fact>
            <Fact label="Platform">{s.platform}</Fact>
            <Fact label="Node.js">{s.node_version}</Fact>
            <Fact label="Database">
              <Badge variant="light" color="orchid">
                {s.database.dialect === 'postgres' ? 'PostgreSQL' : 'SQLite'}
              </Badge>
            </Fact>
            <Fact label="Install root">
              <span className="mono">{s.install_root}</span>
            </Fact>
            <Fact label="Started">{formatTime(s.started_at)}</Fact>
            <Fact label="Uptime">{formatDuration(s.uptime_seconds)}</Fact>
            <Fact label="Server time">
              {time.data ? `${formatTime(time.data.epoch_ms)} (${time.data.timezone})` : '—'}
            </Fact>
          </SimpleGrid>
        </div>
        <div className="glass" style={{ padding: 'var(--mantine-spacing-lg)' }}>
          <Group justify="space-between" mb="md">
            <Title order={4}>TLS</Title>
            <Badge variant="light" color={s.tls.operator_supplied ? 'aurora' : 'green'}>
              {s.tls.operator_supplied ? 'Operator-supplied certificate' : 'Built-in root CA'}
            </Badge>
          </Group>
          <Fact label="Root CA fingerprint (SHA-256)">
            <Group gap="sm" wrap="nowrap" align="flex-start">
              <span className="mono" data-testid="ca-fingerprint">
                {fingerprint}
              </span>
              <CopyButton value={fingerprint} label="Copy CA fingerprint" />
            </Group>
          </Fact>
        </div>
      </Stack>
    </>
  );
}
