import { useCallback, useEffect, useRef, useState } from 'react';
import { Trans } from '@lingui/react/macro';
import { useLingui } from '@lingui/react';
import { msg } from '@lingui/core/macro';
import { Link, Outlet, useNavigate } from '@tanstack/react-router';
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { ApiError, api, data, type Me } from '../api/client';
import { Button } from '../ui/Button';
import { claimDrafts, clearDrafts } from './drafts';
import { endSession } from './sign-out';
import { IdleWatch } from './IdleWatch';
import { Keyboard } from './Palette';
import { LockScreen } from './LockScreen';
import { MeProvider } from './session';
import { DisplayZone } from '../ui/format';
import { viewerZone } from '../calendar/entries';
import { StepUpProvider } from './StepUp';
import { ROLES, type Role } from '../staff/roles';

/**
 * The signed-in shell: the organisation, the navigation, who is signed in, sign out — and the idle
 * lock, which takes the screen away (and every answer the page held) when the session idles out.
 */
export function Shell() {
  const navigate = useNavigate();
  const queryClient = useQueryClient();
  const [locked, setLocked] = useState<{ email: string } | null>(null);
  const lock = useCallback(
    (me: Me) => {
      setLocked({ email: me.email });
      // Client data leaves the page with the answers that held it; the session ends on the server too.
      queryClient.clear();
      void endSession().catch(() => undefined);
    },
    [queryClient],
  );
  const signOut = useCallback(
    (why?: 'ended') => {
      clearDrafts();
      queryClient.clear();
      setLocked(null);
      void navigate({ to: '/sign-in', search: why ? { session: why } : {} });
    },
    [queryClient, navigate],
  );
  if (locked) return <LockScreen email={locked.email} onUnlocked={() => setLocked(null)} onSignOut={() => signOut()} />;
  return <SignedIn onLock={lock} onSignedOut={signOut} />;
}

function SignedIn({ onLock, onSignedOut }: { onLock: (me: Me) => void; onSignedOut: (why?: 'ended') => void }) {
  const { _ } = useLingui();
  const navigate = useNavigate();
  const me = useQuery({ queryKey: ['me'], queryFn: () => data(api.GET('/api/v1/auth/me')), gcTime: 0 });
  const signedOut = me.error instanceof ApiError && me.error.status === 401;
  useEffect(() => {
    // The session ended elsewhere (signed out from another browser, a password change or reset, an admin).
    if (signedOut) onSignedOut(me.data ? 'ended' : undefined);
    else if (me.data && me.data.state === 'mfa_enrolment') void navigate({ to: '/sign-in/enrol' });
    else if (me.data && me.data.state === 'mfa_pending') void navigate({ to: '/sign-in/code' });
  }, [signedOut, me.data, navigate, onSignedOut]);
  const signOut = useMutation({
    mutationFn: endSession,
    onSettled: () => onSignedOut(),
  });
  const current = useRef<Me | null>(null);
  current.current = me.data ?? null;
  const lockNow = useCallback(() => {
    if (current.current) onLock(current.current);
  }, [onLock]);
  if (!me.data || me.data.state !== 'active') return <div className="shell" aria-busy="true" />;
  // The same person may pick up their unsaved text after the idle lock; anyone else starts clean.
  claimDrafts(me.data.user_id);
  const can = (action: string) => me.data.actions.includes(action);
  return (
    <MeProvider value={me.data}>
      <DisplayZone.Provider value={viewerZone(me.data)}>
      <StepUpProvider>
        <div className="shell">
          <a className="skip-link" href="#main"><Trans>Skip to content</Trans></a>
          <header className="topbar">
            <span className="brand">Confidant</span>
            <span className="org-name" data-testid="org-name">{me.data.organisation_name}</span>
            <nav aria-label={_(msg`Main`)} className="nav">
              <Link to="/" className="nav-link" activeOptions={{ exact: true }}><Trans>Home</Trans></Link>
              {can('client.search') ? <Link to="/clients" className="nav-link"><Trans>Clients</Trans></Link> : null}
              {can('calendar.read') ? <Link to="/calendar" className="nav-link"><Trans>Calendar</Trans></Link> : null}
              {can('invoices.retained') ? <Link to="/invoices" className="nav-link"><Trans>Invoices</Trans></Link> : null}
              {can('alerts.read') ? <Link to="/alerts" className="nav-link"><Trans>Alerts</Trans></Link> : null}
              {can('staff.read') ? <Link to="/staff" className="nav-link"><Trans>Staff</Trans></Link> : null}
              {can('org.settings') ? <Link to="/organisation" className="nav-link"><Trans>Organisation</Trans></Link> : null}
              <Link to="/account" className="nav-link"><Trans>Account</Trans></Link>
            </nav>
            <span className="spacer" />
            <span className="whoami" data-testid="whoami">{me.data.email} · {me.data.role in ROLES ? _(ROLES[me.data.role as Role].name) : me.data.role}</span>
            <Button variant="quiet" onPress={() => signOut.mutate()} isDisabled={signOut.isPending}><Trans>Sign out</Trans></Button>
          </header>
          <main id="main" className="shell-main">
            <Outlet />
          </main>
        </div>
        <IdleWatch timeoutMs={me.data.idle_timeout_ms} onLock={lockNow} />
        <Keyboard />
      </StepUpProvider>
      </DisplayZone.Provider>
    </MeProvider>
  );
}
