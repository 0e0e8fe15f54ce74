// A device filter as quick job target: pick a saved filter and see how many devices match now and
// which (the first ones by hostname, from POST /api/device_filters/preview).
import { Group, Loader, Select, Text } from '@mantine/core';
import { useFilterPreview, useDeviceFilters } from '../filters/useDeviceFilters';

interface FilterTargetProps {
  value: string | null;
  onChange: (id: string | null) => void;
}

export function FilterTarget({ value, onChange }: FilterTargetProps) {
  const filters = useDeviceFilters();
  const filter = filters.data?.find((f) => f.id === value) ?? null;
  const preview = useFilterPreview(
    filter
      ? { site_scope: filter.site_scope, site_id: filter.site_id, groups: filter.groups }
      : null,
  );
  const count = preview.data?.count ?? filter?.match_count ?? 0;
  return (
    <>
      <Select
        aria-label="Filter to target"
        placeholder={filters.isPending ? 'Loading…' : 'Pick a device filter'}
        data={(filters.data ?? []).map((f) => ({
          value: f.id,
          label: `${f.name} (${f.match_count} ${f.match_count === 1 ? 'device' : 'devices'})`,
        }))}
        value={value}
        onChange={onChange}
        searchable
        nothingFoundMessage="No filter matches"
      />
      {filter && (
        <Group gap="xs" data-testid="filter-target-preview">
          {preview.isFetching && <Loader size="xs" aria-label="Counting matches" />}
          <Text size="sm" c={count === 0 ? 'orange' : undefined} className="fact-value">
            {count === 0
              ? 'No device matches this filter now.'
              : `${count} ${count === 1 ? 'device matches' : 'devices match'} now: ${(preview.data?.devices ?? []).map((d) => d.hostname).join(', ')}${count > (preview.data?.devices.length ?? 0) ? ', …' : ''}`}
          </Text>
        </Group>
      )}
      {filters.data?.length === 0 && (
        <Text size="sm" c="dimmed">
          No device filters yet: create one under Filters &amp; Groups.
        </Text>
      )}
    </>
  );
}
