// Device detail page (/devices/:guid): header with hostname, presence, trust state, site, "Run
// script…" (operator) and the admin actions; tabs Summary (with the live CPU/memory chart),
// Hardware, Storage, Network, Installed Software and Activity History. The selected tab lives in
// ?tab= so back/forward keep it.
import {
  Alert,
  Anchor,
  Badge,
  Button,
  Center,
  Group,
  Loader,
  Stack,
  Tabs,
  Text,
  Title,
} from '@mantine/core';
import { lazy, Suspense, useState } from 'react';
import { Link, useParams, useSearchParams } from 'react-router-dom';
import { ApiError, errorMessage } from '../../../api/client';
import { hasRole } from '../../../lib/roles';
import { useMe } from '../../auth/useSession';
import { QuickJobDialog } from '../../jobs/QuickJobDialog';
import { DeviceStatusBadge } from '../DeviceStatusBadge';
import { useDevice } from '../useDevices';
import { useLiveDevices } from '../useLiveDevices';
import { ActivityTab } from './ActivityTab';
import { DeviceActions } from './DeviceActions';
import { HardwareTab } from './HardwareTab';
import { NetworkTab } from './NetworkTab';
import { SoftwareTab } from './SoftwareTab';
import { StorageTab } from './StorageTab';
import { SummaryTab } from './SummaryTab';

const MetricsChart = lazy(() => import('./MetricsChart'));

const TABS = [
  { value: 'summary', label: 'Summary' },
  { value: 'hardware', label: 'Hardware' },
  { value: 'storage', label: 'Storage' },
  { value: 'network', label: 'Network' },
  { value: 'software', label: 'Installed Software' },
  { value: 'activity', label: 'Activity History' },
] as const;
type TabValue = (typeof TABS)[number]['value'];

function BackLink() {
  return (
    <Anchor component={Link} to="/devices" size="sm">
      ← Devices
    </Anchor>
  );
}

export function DeviceDetailPage() {
  const { guid = '' } = useParams();
  const { data: me } = useMe();
  const [params, setParams] = useSearchParams();
  const device = useDevice(guid);
  const [running, setRunning] = useState(false);
  useLiveDevices();

  const tab: TabValue = TABS.find((t) => t.value === params.get('tab'))?.value ?? 'summary';

  if (device.isPending) {
    return (
      <Center py="xl">
        <Loader aria-label="Loading device" />
      </Center>
    );
  }
  if (device.isError) {
    const missing = device.error instanceof ApiError && device.error.status === 404;
    return (
      <Stack gap="md" maw={560}>
        <BackLink />
        <Alert
          color={missing ? 'orange' : 'red'}
          variant="light"
          title={missing ? 'Device not found' : 'Could not load the device'}
        >
          {missing
            ? 'There is no device with this GUID. It may have been deleted.'
            : errorMessage(device.error)}
        </Alert>
      </Stack>
    );
  }

  const d = device.data;
  return (
    <>
      <BackLink />
      <Group justify="space-between" align="flex-end" mb="lg" mt="xs" gap="md">
        <Stack gap={6}>
          <Title order={2} className="fact-value">
            {d.hostname}
          </Title>
          <Group gap="xs">
            <DeviceStatusBadge status={d.status} deviceStatus={d.device_status} />
            <Badge variant="light" color={d.site_name ? 'orchid' : 'gray'}>
              {d.site_name ?? 'No site'}
            </Badge>
            {d.operating_system && (
              <Text size="sm" c="dimmed">
                {d.operating_system}
              </Text>
            )}
          </Group>
        </Stack>
        <Group gap="sm">
          {hasRole(me?.role, 'Operator') && (
            <Button variant="gradient" onClick={() => setRunning(true)}>
              Run script…
            </Button>
          )}
          {hasRole(me?.role, 'Admin') && <DeviceActions device={d} />}
        </Group>
      </Group>
      <Tabs
        value={tab}
        onChange={(v) => setParams(v && v !== 'summary' ? { tab: v } : {}, { replace: true })}
        keepMounted={false}
      >
        <Tabs.List mb="md">
          {TABS.map((t) => (
            <Tabs.Tab key={t.value} value={t.value}>
              {t.label}
            </Tabs.Tab>
          ))}
        </Tabs.List>
        <Tabs.Panel value="summary">
          <Stack gap="md">
            <Suspense fallback={<Loader size="sm" aria-label="Loading chart" />}>
              <MetricsChart guid={d.guid} />
            </Suspense>
            <SummaryTab device={d} canEdit={hasRole(me?.role, 'Operator')} />
          </Stack>
        </Tabs.Panel>
        <Tabs.Panel value="hardware">
          <HardwareTab device={d} />
        </Tabs.Panel>
        <Tabs.Panel value="storage">
          <StorageTab device={d} />
        </Tabs.Panel>
        <Tabs.Panel value="network">
          <NetworkTab device={d} />
        </Tabs.Panel>
        <Tabs.Panel value="software">
          <SoftwareTab guid={d.guid} />
        </Tabs.Panel>
        <Tabs.Panel value="activity">
          <ActivityTab guid={d.guid} canOperate={hasRole(me?.role, 'Operator')} />
        </Tabs.Panel>
      </Tabs>
      <QuickJobDialog
        opened={running}
        devices={[{ guid: d.guid, hostname: d.hostname, status: d.status }]}
        onClose={() => setRunning(false)}
      />
    </>
  );
}
