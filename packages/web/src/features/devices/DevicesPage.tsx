// Devices page: the fleet, paged, sorted and filtered by the engine (fast at tens of thousands
// of devices), with a column chooser, saved views, live Online/Offline from the `/ui` socket,
// and multi-select → run a script (Quick Job) / assign site (operator) / delete (admin).
import type { DeviceFilterField, DeviceSortField, ListView } from '@borealis/protocol';
import {
  Badge,
  Button,
  Group,
  Pagination,
  SegmentedControl,
  Select,
  Text,
  TextInput,
} from '@mantine/core';
import { useDebouncedValue } from '@mantine/hooks';
import { useMemo, useState } from 'react';
import { useRealtimeConnected } from '../../api/realtime';
import { notifySuccess } from '../../app/query-client';
import { ConfirmDialog } from '../../components/ConfirmDialog';
import { PageHeader } from '../../components/PageHeader';
import { hasRole } from '../../lib/roles';
import { useSessionState } from '../../lib/session-state';
import { useMe } from '../auth/useSession';
import { QuickJobDialog, type TargetDevice } from '../jobs/QuickJobDialog';
import { useSites } from '../sites/useSites';
import { AssignSiteModal } from './AssignSiteModal';
import { ColumnChooser } from './ColumnChooser';
import { COLUMNS_BY_ID, type DeviceColumn } from './columns';
import { DeviceTable } from './DeviceTable';
import { SavedViewsMenu } from './SavedViewsMenu';
import {
  activeFilters,
  DEFAULT_LIST_STATE,
  hasAnyFilter,
  PAGE_SIZES,
  sanitizeListState,
  type DeviceListUiState,
} from './list-state';
import { useDeleteDevices, useDeviceList } from './useDevices';
import { listStateOf, useListViews } from './useListViews';
import { useLiveDevices } from './useLiveDevices';

const STATUS_FILTERS = [
  { value: 'all', label: 'All' },
  { value: 'Online', label: 'Online' },
  { value: 'Offline', label: 'Offline' },
];

export function DevicesPage() {
  const { data: me } = useMe();
  const canOperate = hasRole(me?.role, 'Operator');
  const isAdmin = hasRole(me?.role, 'Admin');
  const connected = useRealtimeConnected();
  useLiveDevices();

  const [state, setState] = useSessionState(
    'borealis.devices.list',
    DEFAULT_LIST_STATE,
    sanitizeListState,
  );
  const [typed] = useDebouncedValue({ q: state.q, contains: state.contains }, 300);
  const list = useDeviceList({
    page: state.page,
    pageSize: state.pageSize,
    sort: state.sort,
    order: state.order,
    status: state.status,
    siteId: state.siteId,
    q: typed.q,
    contains: activeFilters(typed.contains),
  });
  const sites = useSites();
  const views = useListViews();
  const remove = useDeleteDevices();
  const [selected, setSelected] = useState<ReadonlySet<string>>(new Set());
  /** Hostname and presence of selected devices, also those on other pages. */
  const [picked, setPicked] = useState<ReadonlyMap<string, TargetDevice>>(new Map());
  const [running, setRunning] = useState(false);
  const [assigning, setAssigning] = useState(false);
  const [deleting, setDeleting] = useState(false);

  const columns = useMemo(
    () => state.columns.map((id) => COLUMNS_BY_ID.get(id)).filter((c): c is DeviceColumn => !!c),
    [state.columns],
  );
  const activeView = views.data?.find((v) => v.id === state.viewId) ?? null;
  const total = list.data?.total ?? 0;
  const pages = Math.max(1, Math.ceil(total / state.pageSize));
  const first = total === 0 ? 0 : (state.page - 1) * state.pageSize + 1;
  const last = Math.min(total, state.page * state.pageSize);

  /** Any change of what is listed goes back to page 1. */
  const update = (patch: Partial<DeviceListUiState>) =>
    setState((s) => ({ ...s, page: 1, ...patch }));
  const onSort = (field: DeviceSortField) =>
    update({ sort: field, order: state.sort === field && state.order === 'asc' ? 'desc' : 'asc' });
  const onFilter = (field: DeviceFilterField, value: string) =>
    update({ contains: { ...state.contains, [field]: value } });
  const loadView = (view: ListView) => update({ ...listStateOf(view), viewId: view.id });
  const onSelect = (guids: string[], on: boolean) => {
    const page = new Map((list.data?.devices ?? []).map((d) => [d.guid, d]));
    setPicked((prev) => {
      const next = new Map(prev);
      for (const g of guids) {
        const d = page.get(g);
        if (on && d) next.set(g, { guid: g, hostname: d.hostname, status: d.status });
      }
      return next;
    });
    setSelected((prev) => {
      const next = new Set(prev);
      for (const g of guids) {
        if (on) next.add(g);
        else next.delete(g);
      }
      return next;
    });
  };

  const selectedGuids = [...selected];
  /** The current page has the freshest presence; other pages' devices as they were picked. */
  const targets = selectedGuids.map((g): TargetDevice => {
    const d = list.data?.devices.find((x) => x.guid === g);
    if (d) return { guid: g, hostname: d.hostname, status: d.status };
    return picked.get(g) ?? { guid: g, hostname: g, status: null };
  });
  const selectedNames = (list.data?.devices ?? [])
    .filter((d) => selected.has(d.guid))
    .map((d) => d.hostname);

  const confirmDelete = () => {
    remove.mutate(selectedGuids, {
      onSuccess: (n) => {
        notifySuccess(`${n} device(s) deleted.`);
        setSelected(new Set());
        setState((s) => ({ ...s, page: 1 }));
        setDeleting(false);
      },
      onError: () => setDeleting(false),
    });
  };

  return (
    <>
      <PageHeader
        title="Devices"
        subtitle="Every enrolled agent. Online means connected now or heard from in the last 90 seconds."
        actions={
          <>
            <Badge variant="dot" color={connected ? 'green' : 'orange'} size="lg">
              {connected ? 'Live' : 'Connecting…'}
            </Badge>
            <SavedViewsMenu
              state={state}
              active={activeView}
              canEdit={canOperate}
              onLoad={loadView}
              onForget={() => update({ viewId: null })}
            />
            <ColumnChooser
              columns={state.columns}
              onChange={(c) => setState((s) => ({ ...s, columns: c }))}
            />
          </>
        }
      />
      <Group mb="md" gap="sm" align="flex-end">
        <TextInput
          label="Search"
          placeholder="Hostname, description, user, OS or IP"
          value={state.q}
          maxLength={256}
          onChange={(e) => update({ q: e.currentTarget.value })}
          w={300}
        />
        <SegmentedControl
          aria-label="Filter by status"
          data={STATUS_FILTERS}
          value={state.status ?? 'all'}
          onChange={(v) => update({ status: v === 'Online' || v === 'Offline' ? v : null })}
        />
        <Select
          aria-label="Filter by site"
          placeholder="All sites"
          data={(sites.data ?? []).map((s) => ({ value: s.id, label: s.name }))}
          value={state.siteId}
          onChange={(v) => update({ siteId: v })}
          clearable
          searchable
          w={220}
        />
        {hasAnyFilter(state) && (
          <Button
            variant="subtle"
            onClick={() => update({ q: '', status: null, siteId: null, contains: {} })}
          >
            Clear filters
          </Button>
        )}
        <Text size="sm" c="dimmed" ml="auto" data-testid="device-count">
          {list.data
            ? `${first}–${last} of ${total.toLocaleString()} ${total === 1 ? 'device' : 'devices'}`
            : ''}
        </Text>
      </Group>
      {selected.size > 0 && (
        <Group mb="sm" gap="sm" className="glass selection-bar" px="md" py="xs">
          <Text size="sm" fw={600}>
            {selected.size} selected
          </Text>
          {canOperate && (
            <Button size="compact-sm" variant="gradient" onClick={() => setRunning(true)}>
              Run script…
            </Button>
          )}
          {canOperate && (
            <Button size="compact-sm" variant="light" onClick={() => setAssigning(true)}>
              Assign site
            </Button>
          )}
          {isAdmin && (
            <Button size="compact-sm" variant="light" color="red" onClick={() => setDeleting(true)}>
              Delete
            </Button>
          )}
          <Button
            size="compact-sm"
            variant="subtle"
            color="gray"
            onClick={() => setSelected(new Set())}
          >
            Clear selection
          </Button>
        </Group>
      )}
      <div className="glass">
        <DeviceTable
          columns={columns}
          devices={list.data?.devices}
          query={list}
          sort={state.sort}
          order={state.order}
          onSort={onSort}
          filters={state.contains}
          onFilter={onFilter}
          selected={selected}
          onSelect={onSelect}
          canEdit={canOperate}
          empty={
            hasAnyFilter(state)
              ? 'No devices match these filters.'
              : 'No devices yet. Approve an agent under Device Approvals to see it here.'
          }
        />
      </div>
      <Group justify="space-between" mt="md">
        <Select
          aria-label="Devices per page"
          data={PAGE_SIZES.map((n) => ({ value: String(n), label: `${n} per page` }))}
          value={String(state.pageSize)}
          onChange={(v) => update({ pageSize: Number(v ?? DEFAULT_LIST_STATE.pageSize) })}
          allowDeselect={false}
          w={140}
        />
        <Pagination
          total={pages}
          value={Math.min(state.page, pages)}
          onChange={(page) => setState((s) => ({ ...s, page }))}
          getControlProps={(control) => ({ 'aria-label': `${control} page` })}
        />
      </Group>
      <QuickJobDialog opened={running} devices={targets} onClose={() => setRunning(false)} />
      <AssignSiteModal
        opened={assigning}
        guids={selectedGuids}
        onClose={() => setAssigning(false)}
        onAssigned={() => {
          setAssigning(false);
          setSelected(new Set());
        }}
      />
      <ConfirmDialog
        opened={deleting}
        title="Delete devices"
        confirmLabel={selected.size === 1 ? 'Delete device' : `Delete ${selected.size} devices`}
        loading={remove.isPending}
        onConfirm={confirmDelete}
        onClose={() => setDeleting(false)}
      >
        <Text size="sm">
          {`Delete ${selected.size} device(s)? Their inventory is removed and their agents are disconnected; an agent must enroll again to come back.`}
        </Text>
        {selectedNames.length > 0 && (
          <Text size="sm" c="dimmed" mt="xs" lineClamp={3}>
            {selectedNames.join(', ')}
          </Text>
        )}
      </ConfirmDialog>
    </>
  );
}
