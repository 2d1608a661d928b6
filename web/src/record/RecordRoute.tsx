import { createLazyRoute } from '@tanstack/react-router';
import { RecordPage } from './RecordPage';

function RecordScreen() {
  const { clientId } = Route.useParams();
  // A new record is a new page: nothing of the last one's state carries over.
  return <RecordPage key={clientId} clientId={clientId} />;
}

export const Route = createLazyRoute('/signed-in/clients/$clientId')({ component: RecordScreen });
