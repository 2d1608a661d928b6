import { useMutation, useQueryClient } from '@tanstack/react-query';
import { api, data, type paths } from '../api/client';
import { useStepUp } from '../app/StepUp';

export type Settings = paths['/api/v1/organisation']['get']['responses'][200]['content']['application/json'];
export type SettingsChange = NonNullable<paths['/api/v1/organisation']['patch']['requestBody']>['content']['application/json'];

/** Saves a change to the organisation's settings (step-up first when the sign-in is not fresh). */
export function useSave() {
  const withStepUp = useStepUp();
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: (body: SettingsChange) => withStepUp(() => data(api.PATCH('/api/v1/organisation', { body }))),
    onSuccess: (saved) => {
      queryClient.setQueryData(['organisation'], saved);
      return queryClient.invalidateQueries({ queryKey: ['me'] });
    },
  });
}

