// Users page (admin): operator accounts with role, MFA state and last login; create, change
// role, reset password, enable/disable or reset MFA, and delete.
import { ROLES, type Role, type User } from '@borealis/protocol';
import { Button, Select, Switch, Table, Text } from '@mantine/core';
import { useState } from 'react';
import { ConfirmDialog } from '../../components/ConfirmDialog';
import { PageHeader } from '../../components/PageHeader';
import { TableState } from '../../components/TableState';
import { notifySuccess } from '../../app/query-client';
import { formatTime } from '../../lib/format';
import { useMe } from '../auth/useSession';
import { CreateUserModal } from './CreateUserModal';
import { ResetPasswordModal } from './ResetPasswordModal';
import { UserActionsMenu, type UserAction } from './UserActionsMenu';
import { useDeleteUser, useSetMfa, useSetRole, useUsers } from './useUsers';

export function UsersPage() {
  const { data: me } = useMe();
  const users = useUsers();
  const setRole = useSetRole();
  const setMfa = useSetMfa();
  const remove = useDeleteUser();
  const [creating, setCreating] = useState(false);
  const [resetting, setResetting] = useState<string | null>(null);
  const [pending, setPending] = useState<{ action: 'delete' | 'reset_mfa'; user: User } | null>(
    null,
  );

  const changeRole = (user: User, role: Role) => {
    if (role === user.role) return;
    setRole.mutate(
      { username: user.username, role },
      { onSuccess: () => notifySuccess(`${user.username} is now ${role}.`) },
    );
  };

  const toggleMfa = (user: User, enabled: boolean) => {
    setMfa.mutate(
      { username: user.username, enabled },
      {
        onSuccess: () =>
          notifySuccess(`MFA ${enabled ? 'required' : 'disabled'} for ${user.username}.`),
      },
    );
  };

  const onAction = (user: User, action: UserAction) => {
    if (action === 'reset_password') setResetting(user.username);
    else setPending({ action, user });
  };

  const confirm = () => {
    if (!pending) return;
    const { action, user } = pending;
    const done = (msg: string) => () => {
      notifySuccess(msg);
      setPending(null);
    };
    if (action === 'delete') {
      remove.mutate(user.username, { onSuccess: done(`User ${user.username} deleted.`) });
    } else {
      setMfa.mutate(
        { username: user.username, enabled: true, reset_secret: true },
        { onSuccess: done(`${user.username} will enrol a new authenticator at next sign-in.`) },
      );
    }
  };

  const rows = (users.data ?? []).map((user) => {
    const self = user.username === me?.username;
    return (
      <Table.Tr key={user.username} data-testid={`user-row-${user.username}`}>
        <Table.Td>
          <Text fw={600} size="sm">
            {user.username}
          </Text>
          {user.display_name && user.display_name !== user.username && (
            <Text size="xs" c="dimmed">
              {user.display_name}
            </Text>
          )}
        </Table.Td>
        <Table.Td>
          <Select
            aria-label={`Role of ${user.username}`}
            data={[...ROLES]}
            value={user.role}
            onChange={(v) => v && changeRole(user, v)}
            allowDeselect={false}
            disabled={self}
            size="xs"
            w={130}
          />
        </Table.Td>
        <Table.Td>
          <Switch
            aria-label={`MFA for ${user.username}`}
            checked={user.mfa_enabled}
            onChange={(e) => toggleMfa(user, e.currentTarget.checked)}
            disabled={self}
            color="green"
          />
        </Table.Td>
        <Table.Td>{formatTime(user.last_login)}</Table.Td>
        <Table.Td>{formatTime(user.created_at)}</Table.Td>
        <Table.Td ta="right">
          <UserActionsMenu user={user} self={self} onAction={(a) => onAction(user, a)} />
        </Table.Td>
      </Table.Tr>
    );
  });

  return (
    <>
      <PageHeader
        title="Users"
        subtitle="Operator accounts. Admins manage everything; Operators act on devices; Viewers only look."
        actions={
          <Button variant="gradient" onClick={() => setCreating(true)}>
            New user
          </Button>
        }
      />
      <div className="glass">
        <Table.ScrollContainer minWidth={820}>
          <Table aria-label="Users">
            <Table.Thead>
              <Table.Tr>
                <Table.Th>User</Table.Th>
                <Table.Th>Role</Table.Th>
                <Table.Th>MFA</Table.Th>
                <Table.Th>Last login</Table.Th>
                <Table.Th>Created</Table.Th>
                <Table.Th />
              </Table.Tr>
            </Table.Thead>
            <Table.Tbody>
              {rows}
              <TableState query={users} columns={6} empty="No users." />
            </Table.Tbody>
          </Table>
        </Table.ScrollContainer>
      </div>
      <CreateUserModal opened={creating} onClose={() => setCreating(false)} />
      <ResetPasswordModal username={resetting} onClose={() => setResetting(null)} />
      <ConfirmDialog
        opened={pending !== null}
        title={pending?.action === 'delete' ? 'Delete user' : 'Reset MFA'}
        confirmLabel={pending?.action === 'delete' ? 'Delete user' : 'Reset MFA'}
        loading={remove.isPending || setMfa.isPending}
        onConfirm={confirm}
        onClose={() => setPending(null)}
      >
        {pending?.action === 'delete'
          ? `Delete ${pending.user.username}? Their sessions end immediately.`
          : `Discard ${pending?.user.username ?? ''}'s authenticator? They set up a new one at their next sign-in.`}
      </ConfirmDialog>
    </>
  );
}
