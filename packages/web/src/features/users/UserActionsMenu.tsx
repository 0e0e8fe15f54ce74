// Per-user menu of less frequent actions: reset password, reset MFA secret, delete.
import type { User } from '@borealis/protocol';
import { Button, Menu } from '@mantine/core';

export type UserAction = 'reset_password' | 'reset_mfa' | 'delete';

interface UserActionsMenuProps {
  user: User;
  /** The signed-in operator's own row: deleting yourself is not offered. */
  self: boolean;
  onAction: (action: UserAction) => void;
}

export function UserActionsMenu({ user, self, onAction }: UserActionsMenuProps) {
  return (
    <Menu position="bottom-end" width={200} shadow="lg">
      <Menu.Target>
        <Button size="compact-sm" variant="subtle" aria-label={`Actions for ${user.username}`}>
          Actions
        </Button>
      </Menu.Target>
      <Menu.Dropdown>
        <Menu.Item onClick={() => onAction('reset_password')}>Reset password</Menu.Item>
        <Menu.Item onClick={() => onAction('reset_mfa')}>Reset MFA secret</Menu.Item>
        {!self && (
          <>
            <Menu.Divider />
            <Menu.Item color="red" onClick={() => onAction('delete')}>
              Delete user
            </Menu.Item>
          </>
        )}
      </Menu.Dropdown>
    </Menu>
  );
}
