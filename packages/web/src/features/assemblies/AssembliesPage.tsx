// Assemblies page (reference §2.5, §10): every script, playbook and workflow by domain (tabs with
// counts) and kind, searchable, with type/kind/domain badges. Operators create new ones and
// import JSON (a Borealis export or the legacy format) into the user domain; admins get the Dev
// Mode switch that unlocks the official and community domains.
import {
  ASSEMBLY_DOMAINS,
  ASSEMBLY_KINDS,
  type AssemblyDomain,
  type AssemblyKind,
  type AssemblySummary,
} from '@borealis/protocol';
import {
  Anchor,
  Badge,
  Button,
  FileButton,
  Group,
  Select,
  Table,
  Tabs,
  Text,
  TextInput,
} from '@mantine/core';
import { useState } from 'react';
import { Link, useNavigate } from 'react-router-dom';
import { notifyError, notifySuccess } from '../../app/query-client';
import { PageHeader } from '../../components/PageHeader';
import { TableState } from '../../components/TableState';
import { formatTime } from '../../lib/format';
import { hasRole } from '../../lib/roles';
import { useSessionState } from '../../lib/session-state';
import { useMe } from '../auth/useSession';
import { DOMAIN_LABELS, KIND_LABELS, TYPE_LABELS } from './assembly-draft';
import { DevModeToggle } from './DevModeToggle';
import { useAssemblyList, useImportAssembly } from './useAssemblies';

type DomainTab = AssemblyDomain | 'all';
interface ListFilters {
  domain: DomainTab;
  kind: AssemblyKind | null;
}
const DEFAULT_FILTERS: ListFilters = { domain: 'all', kind: null };
const DOMAIN_COLORS: Record<AssemblyDomain, string> = {
  official: 'aurora',
  community: 'teal',
  user: 'orchid',
};

function sanitize(raw: unknown): ListFilters {
  const r = (raw ?? {}) as Partial<ListFilters>;
  return {
    domain: ASSEMBLY_DOMAINS.includes(r.domain as AssemblyDomain) ? (r.domain as DomainTab) : 'all',
    kind: ASSEMBLY_KINDS.includes(r.kind as AssemblyKind) ? (r.kind as AssemblyKind) : null,
  };
}

function matches(a: AssemblySummary, q: string): boolean {
  if (!q) return true;
  const hay = `${a.display_name}\n${a.summary}\n${a.category}\n${a.assembly_type}\n${a.tags.join(' ')}`;
  return hay.toLowerCase().includes(q.toLowerCase());
}

export function AssembliesPage() {
  const { data: me } = useMe();
  const canOperate = hasRole(me?.role, 'Operator');
  const navigate = useNavigate();
  const list = useAssemblyList();
  const importer = useImportAssembly();
  const [filters, setFilters] = useSessionState('borealis.assemblies', DEFAULT_FILTERS, sanitize);
  const [search, setSearch] = useState('');

  const all = list.data ?? [];
  const ofKind = all.filter((a) => !filters.kind || a.assembly_kind === filters.kind);
  const count = (d: DomainTab) => ofKind.filter((a) => d === 'all' || a.domain === d).length;
  const shown = ofKind
    .filter((a) => filters.domain === 'all' || a.domain === filters.domain)
    .filter((a) => matches(a, search.trim()))
    .sort((a, b) => a.display_name.localeCompare(b.display_name));

  const importFile = async (file: File | null) => {
    if (!file) return;
    let doc: unknown;
    try {
      doc = JSON.parse(await file.text());
    } catch {
      notifyError(new Error(`${file.name} is not JSON.`), 'Import failed');
      return;
    }
    importer.mutate(
      { doc, domain: 'user' },
      {
        onSuccess: (a) => {
          notifySuccess(`${a.display_name} imported.`);
          void navigate(`/assemblies/${encodeURIComponent(a.assembly_guid)}`);
        },
      },
    );
  };

  return (
    <>
      <PageHeader
        title="Assemblies"
        subtitle="Scripts, playbooks and workflows to run on devices. Official and community assemblies are read-only outside Dev Mode."
        actions={
          <>
            {hasRole(me?.role, 'Admin') && <DevModeToggle />}
            {canOperate && (
              <FileButton onChange={(f) => void importFile(f)} accept="application/json,.json">
                {(props) => (
                  <Button {...props} variant="default" loading={importer.isPending}>
                    Import JSON
                  </Button>
                )}
              </FileButton>
            )}
            {canOperate && (
              <Button component={Link} to="/assemblies/new" variant="gradient">
                New assembly
              </Button>
            )}
          </>
        }
      />
      <Tabs
        value={filters.domain}
        onChange={(v) => setFilters((f) => ({ ...f, domain: sanitize({ domain: v }).domain }))}
        mb="md"
      >
        <Tabs.List>
          {(['all', 'user', 'community', 'official'] as const).map((d) => (
            <Tabs.Tab key={d} value={d}>
              {d === 'all' ? 'All' : DOMAIN_LABELS[d]} ({count(d)})
            </Tabs.Tab>
          ))}
        </Tabs.List>
      </Tabs>
      <Group mb="md" gap="sm" align="flex-end">
        <TextInput
          label="Search"
          placeholder="Name, summary, category or type"
          value={search}
          maxLength={256}
          onChange={(e) => setSearch(e.currentTarget.value)}
          w={300}
        />
        <Select
          label="Kind"
          placeholder="All kinds"
          data={ASSEMBLY_KINDS.map((k) => ({ value: k, label: KIND_LABELS[k] }))}
          value={filters.kind}
          onChange={(v) => setFilters((f) => ({ ...f, kind: sanitize({ kind: v }).kind }))}
          clearable
          w={180}
        />
        <Text size="sm" c="dimmed" ml="auto">
          {list.data ? `${shown.length} of ${all.length}` : ''}
        </Text>
      </Group>
      <div className="glass">
        <Table.ScrollContainer minWidth={900}>
          <Table aria-label="Assemblies" fz="sm" verticalSpacing="xs">
            <Table.Thead>
              <Table.Tr>
                <Table.Th>Name</Table.Th>
                <Table.Th>Type</Table.Th>
                <Table.Th>Kind</Table.Th>
                <Table.Th>Domain</Table.Th>
                <Table.Th>Category</Table.Th>
                <Table.Th>Variables</Table.Th>
                <Table.Th>Updated</Table.Th>
              </Table.Tr>
            </Table.Thead>
            <Table.Tbody>
              {shown.map((a) => (
                <Table.Tr key={a.assembly_guid} data-testid={`assembly-row-${a.assembly_guid}`}>
                  <Table.Td maw={420}>
                    <Anchor
                      component={Link}
                      to={`/assemblies/${encodeURIComponent(a.assembly_guid)}`}
                      fw={600}
                      size="sm"
                      className="fact-value"
                    >
                      {a.display_name}
                    </Anchor>
                    {a.summary && (
                      <Text size="xs" c="dimmed" lineClamp={1}>
                        {a.summary}
                      </Text>
                    )}
                  </Table.Td>
                  <Table.Td>
                    <Badge variant="light" color="orchid" size="sm">
                      {TYPE_LABELS[a.assembly_type]}
                    </Badge>
                  </Table.Td>
                  <Table.Td>
                    <Badge variant="outline" color="gray" size="sm">
                      {KIND_LABELS[a.assembly_kind]}
                    </Badge>
                  </Table.Td>
                  <Table.Td>
                    <Badge variant="dot" color={DOMAIN_COLORS[a.domain]} size="sm">
                      {DOMAIN_LABELS[a.domain]}
                    </Badge>
                  </Table.Td>
                  <Table.Td className="fact-value">{a.category}</Table.Td>
                  <Table.Td>{a.variables.length || '—'}</Table.Td>
                  <Table.Td style={{ whiteSpace: 'nowrap' }}>{formatTime(a.updated_at)}</Table.Td>
                </Table.Tr>
              ))}
              <TableState
                query={{ ...list, data: shown }}
                columns={7}
                empty={
                  all.length === 0 ? 'No assemblies yet.' : 'No assembly matches these filters.'
                }
              />
            </Table.Tbody>
          </Table>
        </Table.ScrollContainer>
      </div>
    </>
  );
}
