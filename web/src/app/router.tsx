import { Outlet, createRootRoute, createRoute, createRouter } from '@tanstack/react-router';
import { SetupPage, takeSetupToken } from '../auth/SetupPage';
import { SignInPage } from '../auth/SignInPage';
import { CodePage } from '../auth/CodePage';
import { InvitePage, takeInviteToken } from './InvitePage';
import { Shell } from './Shell';

const rootRoute = createRootRoute({ component: Outlet });

const shellRoute = createRoute({ getParentRoute: () => rootRoute, path: '/', component: Shell });
const setupRoute = createRoute({ getParentRoute: () => rootRoute, path: '/setup', component: SetupPage });
const signInRoute = createRoute({
  getParentRoute: () => rootRoute,
  path: '/sign-in',
  component: SignInPage,
  // Search params carry no personal data: only these fixed flags after setup or an accepted invitation.
  validateSearch: (s: Record<string, unknown>): { setup?: 'done'; invite?: 'accepted' } => ({
    ...(s.setup === 'done' ? { setup: 'done' as const } : {}),
    ...(s.invite === 'accepted' ? { invite: 'accepted' as const } : {}),
  }),
});
const codeRoute = createRoute({ getParentRoute: () => rootRoute, path: '/sign-in/code', component: CodePage });
// The enrolment screen (and uqr) is a separate chunk, outside the sign-in page's initial JavaScript.
const enrolRoute = createRoute({ getParentRoute: () => rootRoute, path: '/sign-in/enrol' }).lazy(() => import('../auth/EnrolRoute').then((m) => m.Route));
const inviteRoute = createRoute({ getParentRoute: () => rootRoute, path: '/invite', component: InvitePage });

const routeTree = rootRoute.addChildren([shellRoute, setupRoute, signInRoute, codeRoute, enrolRoute, inviteRoute]);

/** Tokens that arrive in the URL leave the address bar and the history before anything renders. */
export function takeUrlTokens(): void {
  if (location.pathname === '/setup') takeSetupToken();
  else if (location.pathname === '/invite') takeInviteToken();
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
