import { Trans } from '@lingui/react/macro';
import { Link } from '@tanstack/react-router';
import { Today } from '../today/Today';
import { useMe } from './session';

/** Home: where the signed-in person starts; for the owner, what is left to set up. */
export function Home() {
  const me = useMe();
  const owner = me.actions.includes('org.settings');
  const reads = me.actions.includes('client.read');
  return (
    <>
      <h1><Trans>Welcome</Trans></h1>
      {owner ? (
        <section className="panel" aria-labelledby="first-steps">
          <h2 id="first-steps"><Trans>First steps for the owner</Trans></h2>
          <ol className="steps">
            <li><Link to="/organisation"><Trans>Set the organisation's time zone, public address and mail relay</Trans></Link></li>
            <li><Link to="/staff"><Trans>Invite the people who work with you</Trans></Link></li>
            <li><Link to="/account"><Trans>Add a passkey, so you can sign in without typing a code</Trans></Link></li>
          </ol>
        </section>
      ) : null}
      {reads ? <Today /> : owner ? null : <p><Trans>You are signed in. Your account's settings, passkeys and sessions are under Account.</Trans></p>}
    </>
  );
}
