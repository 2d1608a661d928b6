import { Trans } from '@lingui/react/macro';
import { Card } from '../ui/Card';

/** Invitation links land here; accepting them is the next step of issue 14. The token is dropped from the address bar at once. */
export function InvitePage() {
  return (
    <Card title={<Trans>Accept an invitation</Trans>}>
      <p><Trans>Accepting invitations in the browser is not available yet. Ask the person who invited you to create your account, then sign in.</Trans></p>
    </Card>
  );
}
