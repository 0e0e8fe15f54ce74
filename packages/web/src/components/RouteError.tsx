// Last-resort error screen for a page that crashed while rendering: says what happened and
// offers a reload instead of the router's developer message.
import { Alert, Button, Center, Code, Stack } from '@mantine/core';
import { isRouteErrorResponse, useRouteError } from 'react-router-dom';

function describe(error: unknown): string {
  if (isRouteErrorResponse(error)) return `${error.status} ${error.statusText}`;
  if (error instanceof Error) return error.message;
  return String(error);
}

export function RouteError() {
  const error = useRouteError();
  return (
    <Center mih="60vh" p="md">
      <Alert color="red" variant="light" title="This page stopped working" maw={560}>
        <Stack gap="sm">
          <span>Something went wrong while showing this page. Reloading usually helps.</span>
          <Code block>{describe(error)}</Code>
          <Button size="xs" variant="light" onClick={() => window.location.reload()}>
            Reload
          </Button>
        </Stack>
      </Alert>
    </Center>
  );
}
