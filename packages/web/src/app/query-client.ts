// The shared TanStack Query client: API failures surface as notifications (except 401s, which
// send the operator to /login, and requests that mark themselves `meta: { silent: true }`
// because their form shows the error inline).
import { MutationCache, QueryCache, QueryClient } from '@tanstack/react-query';
import { notifications } from '@mantine/notifications';
import { ApiError, errorMessage } from '../api/client';

declare module '@tanstack/react-query' {
  interface Register {
    queryMeta: { silent?: boolean };
    mutationMeta: { silent?: boolean };
  }
}

export function notifyError(err: unknown, title = 'Request failed'): void {
  if (err instanceof ApiError && err.status === 401) return;
  notifications.show({
    color: 'red',
    title: err instanceof ApiError ? `${title} (${err.code})` : title,
    message: errorMessage(err),
  });
}

export function notifySuccess(message: string, title?: string): void {
  notifications.show({ color: 'green', title, message });
}

export function createQueryClient(): QueryClient {
  return new QueryClient({
    queryCache: new QueryCache({
      onError: (err, query) => {
        if (!query.meta?.silent) notifyError(err, 'Could not load data');
      },
    }),
    mutationCache: new MutationCache({
      onError: (err, _vars, _result, mutation) => {
        if (!mutation.meta?.silent) notifyError(err);
      },
    }),
    defaultOptions: {
      queries: {
        retry: (count, err) => !(err instanceof ApiError && err.status < 500) && count < 2,
        refetchOnWindowFocus: false,
        staleTime: 10_000,
      },
    },
  });
}
