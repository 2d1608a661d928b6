import { createLazyRoute } from '@tanstack/react-router';
import { ExportPage } from './ExportPage';

export const Route = createLazyRoute('/signed-in/export')({ component: ExportPage });
