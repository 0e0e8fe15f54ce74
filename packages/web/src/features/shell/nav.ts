// Sidebar sections (in the spirit of the original's navigation), limited to pages that exist.
import type { Role } from '@borealis/protocol';

export interface NavItem {
  label: string;
  path: string;
  /** Minimum role that may open the page. */
  role: Role;
}

export interface NavSection {
  label: string;
  items: NavItem[];
}

export const NAV_SECTIONS: NavSection[] = [
  {
    label: 'Sites',
    items: [
      { label: 'Sites', path: '/sites', role: 'Viewer' },
      { label: 'Installer Codes', path: '/installer-codes', role: 'Admin' },
    ],
  },
  {
    label: 'Inventory',
    items: [
      { label: 'Device Approvals', path: '/device-approvals', role: 'Admin' },
      { label: 'Devices', path: '/devices', role: 'Viewer' },
    ],
  },
  {
    label: 'Automation',
    items: [
      { label: 'Assemblies', path: '/assemblies', role: 'Viewer' },
      { label: 'Scheduled Jobs', path: '/scheduled-jobs', role: 'Viewer' },
    ],
  },
  {
    label: 'Filters & Groups',
    items: [{ label: 'Device Filters', path: '/device-filters', role: 'Viewer' }],
  },
  {
    label: 'Access Management',
    items: [
      { label: 'Credentials', path: '/credentials', role: 'Admin' },
      { label: 'Users', path: '/users', role: 'Admin' },
      { label: 'API Keys', path: '/api-keys', role: 'Admin' },
    ],
  },
  {
    label: 'Admin Settings',
    items: [
      { label: 'Server Info', path: '/server', role: 'Admin' },
      { label: 'Log Management', path: '/logs', role: 'Admin' },
      { label: 'Audit Log', path: '/audit', role: 'Admin' },
    ],
  },
];
