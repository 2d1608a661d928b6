import { Outlet, createRootRoute, createRoute, createRouter } from '@tanstack/react-router';
import { SetupPage, takeSetupToken } from '../auth/SetupPage';
import { SignInPage } from '../auth/SignInPage';
import { CodePage } from '../auth/CodePage';
import { ForgotPasswordPage } from '../auth/ForgotPasswordPage';
import { ResetPasswordPage, takeResetToken } from '../auth/ResetPasswordPage';
import { InvitePage, takeInviteToken } from './InvitePage';

const rootRoute = createRootRoute({ component: Outlet });

// The signed-in screens share the shell (a layout route without a path of its own).
const shellRoute = createRoute({ getParentRoute: () => rootRoute, id: 'signed-in' }).lazy(() => import('./ShellRoute').then((m) => m.Route));
const homeRoute = createRoute({ getParentRoute: () => shellRoute, path: '/' }).lazy(() => import('./HomeRoute').then((m) => m.Route));
// Each signed-in screen is a chunk of its own, outside the sign-in page's initial JavaScript.
const accountRoute = createRoute({ getParentRoute: () => shellRoute, path: '/account' }).lazy(() => import('../account/AccountRoute').then((m) => m.Route));
const staffRoute = createRoute({ getParentRoute: () => shellRoute, path: '/staff' }).lazy(() => import('../staff/StaffRoute').then((m) => m.Route));
const organisationRoute = createRoute({ getParentRoute: () => shellRoute, path: '/organisation' }).lazy(() => import('../organisation/OrganisationRoute').then((m) => m.Route));
const clientsRoute = createRoute({ getParentRoute: () => shellRoute, path: '/clients' }).lazy(() => import('../clients/ClientsRoute').then((m) => m.Route));
// The address names a client by id only, never by name (UI.md).
const recordRoute = createRoute({ getParentRoute: () => shellRoute, path: '/clients/$clientId' }).lazy(() => import('../record/RecordRoute').then((m) => m.Route));
const importRoute = createRoute({ getParentRoute: () => shellRoute, path: '/import' }).lazy(() => import('../transfer/ImportRoute').then((m) => m.Route));
const exportRoute = createRoute({ getParentRoute: () => shellRoute, path: '/export' }).lazy(() => import('../transfer/ExportRoute').then((m) => m.Route));
const calendarRoute = createRoute({ getParentRoute: () => shellRoute, path: '/calendar' }).lazy(() => import('../calendar/CalendarRoute').then((m) => m.Route));
// Invoices: the period and status in the address (dates only, never a client's name).
const MONTH = /^\d{4}-(0[1-9]|1[0-2])$/;
const DATE = /^\d{4}-\d{2}-\d{2}$/;
const INVOICE_STATUSES = ['all', 'draft', 'sent', 'paid', 'void'] as const;
const invoicesRoute = createRoute({
  getParentRoute: () => shellRoute,
  path: '/invoices',
  validateSearch: (s: Record<string, unknown>): { month?: string; status?: (typeof INVOICE_STATUSES)[number] } => ({
    ...(typeof s.month === 'string' && MONTH.test(s.month) ? { month: s.month } : {}),
    ...(INVOICE_STATUSES.includes(s.status as never) ? { status: s.status as (typeof INVOICE_STATUSES)[number] } : {}),
  }),
}).lazy(() => import('../invoices/InvoicesRoute').then((m) => m.Route));
const periodPrintRoute = createRoute({
  getParentRoute: () => shellRoute,
  path: '/invoices/print',
  validateSearch: (s: Record<string, unknown>): { from: string; to: string } => ({ from: typeof s.from === 'string' && DATE.test(s.from) ? s.from : '', to: typeof s.to === 'string' && DATE.test(s.to) ? s.to : '' }),
}).lazy(() => import('../invoices/PeriodPrintRoute').then((m) => m.Route));
const invoiceRoute = createRoute({ getParentRoute: () => shellRoute, path: '/invoices/$invoiceId' }).lazy(() => import('../invoices/InvoiceRoute').then((m) => m.Route));
const invoicePrintRoute = createRoute({ getParentRoute: () => shellRoute, path: '/invoices/$invoiceId/print' }).lazy(() => import('../invoices/InvoicePrintRoute').then((m) => m.Route));
const alertsRoute = createRoute({ getParentRoute: () => shellRoute, path: '/alerts' }).lazy(() => import('../alerts/AlertsRoute').then((m) => m.Route));
const setupRoute = createRoute({ getParentRoute: () => rootRoute, path: '/setup', component: SetupPage });
const signInRoute = createRoute({
  getParentRoute: () => rootRoute,
  path: '/sign-in',
  component: SignInPage,
  // Search params carry no personal data: only these fixed flags after setup or an accepted invitation.
  validateSearch: (s: Record<string, unknown>): { setup?: 'done'; invite?: 'accepted'; reset?: 'done'; session?: 'ended' } => ({
    ...(s.session === 'ended' ? { session: 'ended' as const } : {}),
    ...(s.setup === 'done' ? { setup: 'done' as const } : {}),
    ...(s.invite === 'accepted' ? { invite: 'accepted' as const } : {}),
    ...(s.reset === 'done' ? { reset: 'done' as const } : {}),
  }),
});
const codeRoute = createRoute({ getParentRoute: () => rootRoute, path: '/sign-in/code', component: CodePage });
// The enrolment screen (and uqr) is a separate chunk, outside the sign-in page's initial JavaScript.
const enrolRoute = createRoute({ getParentRoute: () => rootRoute, path: '/sign-in/enrol' }).lazy(() => import('../auth/EnrolRoute').then((m) => m.Route));
const forgotRoute = createRoute({ getParentRoute: () => rootRoute, path: '/forgot-password', component: ForgotPasswordPage });
const resetRoute = createRoute({ getParentRoute: () => rootRoute, path: '/reset', component: ResetPasswordPage });
const inviteRoute = createRoute({ getParentRoute: () => rootRoute, path: '/invite', component: InvitePage });

const routeTree = rootRoute.addChildren([shellRoute.addChildren([homeRoute, clientsRoute, recordRoute, importRoute, exportRoute, calendarRoute, invoicesRoute, periodPrintRoute, invoiceRoute, invoicePrintRoute, alertsRoute, accountRoute, staffRoute, organisationRoute]), setupRoute, signInRoute, codeRoute, enrolRoute, inviteRoute, forgotRoute, resetRoute]);

/** Tokens that arrive in the URL leave the address bar and the history before anything renders. */
export function takeUrlTokens(): void {
  if (location.pathname === '/setup') takeSetupToken();
  else if (location.pathname === '/invite') takeInviteToken();
  else if (location.pathname === '/reset') takeResetToken();
}

export function makeRouter() {
  return createRouter({
    routeTree,
    // No background reads: every read of client content is an audited event.
    defaultPreload: false,
    // Scroll restoration would write path keys to sessionStorage.
    scrollRestoration: false,
  });
}

declare module '@tanstack/react-router' {
  interface Register {
    router: ReturnType<typeof makeRouter>;
  }
}
