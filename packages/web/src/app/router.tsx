// Route table: public /login and /setup, everything else inside the authenticated app frame,
// with admin pages wrapped in RequireRole.
import { Anchor, Stack, Text, Title } from '@mantine/core';
import type { ReactElement } from 'react';
import { createBrowserRouter, Link, Navigate } from 'react-router-dom';
import { RequireRole } from '../components/RequireRole';
import { RouteError } from '../components/RouteError';
import { ApiKeysPage } from '../features/api-keys/ApiKeysPage';
import { DeviceApprovalsPage } from '../features/approvals/DeviceApprovalsPage';
import { AssembliesPage } from '../features/assemblies/AssembliesPage';
import { AssemblyEditorPage } from '../features/assemblies/AssemblyEditorPage';
import { AuditLogPage } from '../features/audit/AuditLogPage';
import { CredentialsPage } from '../features/credentials/CredentialsPage';
import { LoginPage } from '../features/auth/LoginPage';
import { SetupPage } from '../features/auth/SetupPage';
import { DeviceDetailPage } from '../features/devices/detail/DeviceDetailPage';
import { DevicesPage } from '../features/devices/DevicesPage';
import { DeviceFiltersPage } from '../features/filters/DeviceFiltersPage';
import { FilterEditorPage } from '../features/filters/FilterEditorPage';
import { InstallerCodesPage } from '../features/installer-codes/InstallerCodesPage';
import { JobOutputPage } from '../features/jobs/JobOutputPage';
import { LogManagementPage } from '../features/logs/LogManagementPage';
import { ServerInfoPage } from '../features/server/ServerInfoPage';
import { ScheduledJobEditorPage } from '../features/scheduled-jobs/ScheduledJobEditorPage';
import { ScheduledJobsPage } from '../features/scheduled-jobs/ScheduledJobsPage';
import { AppFrame } from '../features/shell/AppFrame';
import { SitesPage } from '../features/sites/SitesPage';
import { UsersPage } from '../features/users/UsersPage';

function NotFoundPage() {
  return (
    <Stack gap="xs">
      <Title order={2}>Page not found</Title>
      <Text c="dimmed">
        There is nothing at this address.{' '}
        <Anchor component={Link} to="/sites">
          Go to Sites
        </Anchor>
        .
      </Text>
    </Stack>
  );
}

const admin = (page: ReactElement) => <RequireRole role="Admin">{page}</RequireRole>;

export const router = createBrowserRouter([
  { path: '/login', element: <LoginPage />, errorElement: <RouteError /> },
  { path: '/setup', element: <SetupPage />, errorElement: <RouteError /> },
  {
    element: <AppFrame />,
    errorElement: <RouteError />,
    children: [
      { index: true, element: <Navigate to="/sites" replace /> },
      { path: 'sites', element: <SitesPage /> },
      { path: 'installer-codes', element: admin(<InstallerCodesPage />) },
      { path: 'device-approvals', element: admin(<DeviceApprovalsPage />) },
      { path: 'devices', element: <DevicesPage /> },
      { path: 'devices/:guid', element: <DeviceDetailPage /> },
      { path: 'jobs/:id', element: <JobOutputPage /> },
      { path: 'assemblies', element: <AssembliesPage /> },
      { path: 'assemblies/new', element: <AssemblyEditorPage /> },
      { path: 'assemblies/:guid', element: <AssemblyEditorPage /> },
      { path: 'scheduled-jobs', element: <ScheduledJobsPage /> },
      { path: 'scheduled-jobs/new', element: <ScheduledJobEditorPage /> },
      { path: 'scheduled-jobs/:id', element: <ScheduledJobEditorPage /> },
      { path: 'device-filters', element: <DeviceFiltersPage /> },
      { path: 'device-filters/new', element: <FilterEditorPage /> },
      { path: 'device-filters/:id', element: <FilterEditorPage /> },
      { path: 'credentials', element: admin(<CredentialsPage />) },
      { path: 'users', element: admin(<UsersPage />) },
      { path: 'api-keys', element: admin(<ApiKeysPage />) },
      { path: 'server', element: admin(<ServerInfoPage />) },
      { path: 'logs', element: admin(<LogManagementPage />) },
      { path: 'audit', element: admin(<AuditLogPage />) },
      { path: '*', element: <NotFoundPage /> },
    ],
  },
]);
