import { createContext, useContext } from 'react';
import type { Me } from '../api/client';

/** The signed-in user, as GET /api/v1/auth/me answered when the shell opened. */
const MeContext = createContext<Me | null>(null);

export const MeProvider = MeContext.Provider;

export function useMe(): Me {
  const me = useContext(MeContext);
  if (!me) throw new Error('useMe outside the signed-in shell');
  return me;
}

/** Whether the user's role may take an action at all (the server decides again on every request). */
export function useCan(): (action: string) => boolean {
  const me = useMe();
  return (action) => me.actions.includes(action);
}
