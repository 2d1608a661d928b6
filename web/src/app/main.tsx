import { StrictMode } from 'react';
import { createRoot } from 'react-dom/client';
import { QueryClient, QueryClientProvider } from '@tanstack/react-query';
import { RouterProvider } from '@tanstack/react-router';
import { I18nProvider } from '@lingui/react';
import { activate, i18n, preferredLocale } from '../i18n/i18n';
import { applyPrivacy, applyTheme, storedPrivacy, storedTheme } from './preferences';
import { makeRouter, takeUrlTokens } from './router';
import './styles.css';

takeUrlTokens();
applyTheme(storedTheme());
applyPrivacy(storedPrivacy());

const queryClient = new QueryClient({
  defaultOptions: {
    // Reads happen on a person's action only (UI.md): no refetch on focus, reconnect or mount, no retries.
    queries: { refetchOnWindowFocus: false, refetchOnReconnect: false, refetchOnMount: false, retry: false, staleTime: Infinity },
    // A mutation's input and answer (a search's names, a note's text) leave memory with their screen too.
    mutations: { retry: false, gcTime: 0 },
  },
});
const router = makeRouter();

await activate(preferredLocale());
createRoot(document.getElementById('root')!).render(
  <StrictMode>
    <I18nProvider i18n={i18n}>
      <QueryClientProvider client={queryClient}>
        <RouterProvider router={router} />
      </QueryClientProvider>
    </I18nProvider>
  </StrictMode>,
);
