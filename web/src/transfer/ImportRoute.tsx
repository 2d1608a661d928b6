import { createLazyRoute } from '@tanstack/react-router';
import { ImportPage } from './ImportPage';

export const Route = createLazyRoute('/signed-in/import')({ component: ImportPage });
