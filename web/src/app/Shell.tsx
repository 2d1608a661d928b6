import { useEffect } from 'react';
import { Trans } from '@lingui/react/macro';
import { useNavigate } from '@tanstack/react-router';
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { ApiError, api, data } from '../api/client';
import { Button } from '../ui/Button';
import { Preferences } from './Preferences';

/** The signed-in shell: the app's name, who is signed in, sign out. Later screens live inside it. */
export function Shell() {
  const navigate = useNavigate();
  const queryClient = useQueryClient();
  const me = useQuery({ queryKey: ['me'], queryFn: () => data(api.GET('/api/v1/auth/me')), gcTime: 0 });
  const signedOut = me.error instanceof ApiError && me.error.status === 401;
  useEffect(() => {
    if (signedOut) void navigate({ to: '/sign-in' });
    else if (me.data && me.data.state === 'mfa_enrolment') void navigate({ to: '/sign-in/enrol' });
    else if (me.data && me.data.state === 'mfa_pending') void navigate({ to: '/sign-in/code' });
  }, [signedOut, me.data, navigate]);
  const signOut = useMutation({
    mutationFn: () => data(api.POST('/api/v1/auth/logout')),
    onSettled: () => {
      queryClient.clear();
      void navigate({ to: '/sign-in' });
    },
  });
  return (
    <div className="shell">
      <header className="topbar">
        <span className="brand">Confidant</span>
        <span className="spacer" />
        {me.data ? <span className="whoami" data-testid="whoami">{me.data.email} · {me.data.role}</span> : null}
        <Preferences />
        <Button variant="quiet" onPress={() => signOut.mutate()} isDisabled={signOut.isPending}><Trans>Sign out</Trans></Button>
      </header>
      <main id="main" className="shell-main">
        <h1><Trans>Welcome</Trans></h1>
        <p><Trans>You are signed in. Today, clients and the calendar arrive here in the next steps.</Trans></p>
      </main>
    </div>
  );
}
