// Authenticated app frame: header (sidebar toggle, brand, user menu), collapsible 260 px
// sidebar, and the routed page. Loads the session first and sends anonymous visitors to /login.
import { Alert, AppShell, Burger, Button, Center, Group, Loader, Title } from '@mantine/core';
import { useDisclosure } from '@mantine/hooks';
import { Navigate, Outlet, useLocation } from 'react-router-dom';
import { ApiError, errorMessage } from '../../api/client';
import { useMe } from '../auth/useSession';
import { Sidebar } from './Sidebar';
import { UserMenu } from './UserMenu';

export function AppFrame() {
  const me = useMe();
  const location = useLocation();
  const [mobileOpened, { toggle: toggleMobile, close: closeMobile }] = useDisclosure(false);
  const [desktopOpened, { toggle: toggleDesktop }] = useDisclosure(true);

  if (me.isPending) {
    return (
      <Center mih="100vh">
        <Loader aria-label="Loading session" />
      </Center>
    );
  }
  if (me.isError) {
    if (me.error instanceof ApiError && me.error.status === 401) {
      return <Navigate to="/login" replace state={{ from: location.pathname }} />;
    }
    return (
      <Center mih="100vh" p="md">
        <Alert color="red" title="The engine could not be reached" maw={420}>
          {errorMessage(me.error)}
          <Button mt="md" size="xs" variant="light" onClick={() => void me.refetch()}>
            Retry
          </Button>
        </Alert>
      </Center>
    );
  }

  return (
    <AppShell
      header={{ height: 60 }}
      navbar={{
        width: 260,
        breakpoint: 'sm',
        collapsed: { mobile: !mobileOpened, desktop: !desktopOpened },
      }}
      padding="lg"
    >
      <AppShell.Header className="app-header">
        <Group h="100%" px="md" justify="space-between" wrap="nowrap">
          <Group gap="sm" wrap="nowrap">
            <Burger
              opened={mobileOpened}
              onClick={toggleMobile}
              hiddenFrom="sm"
              size="sm"
              aria-label="Toggle navigation"
            />
            <Burger
              opened={desktopOpened}
              onClick={toggleDesktop}
              visibleFrom="sm"
              size="sm"
              aria-label={desktopOpened ? 'Collapse sidebar' : 'Expand sidebar'}
              aria-expanded={desktopOpened}
            />
            <Title order={3} className="gradient-text">
              Borealis
            </Title>
          </Group>
          <UserMenu me={me.data} />
        </Group>
      </AppShell.Header>
      <AppShell.Navbar className="app-navbar">
        <Sidebar role={me.data.role} onNavigate={closeMobile} />
      </AppShell.Navbar>
      <AppShell.Main>
        <Outlet />
      </AppShell.Main>
    </AppShell>
  );
}
